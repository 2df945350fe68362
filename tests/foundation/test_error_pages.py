"""Every 4xx/5xx page in the site's layout, the reader's language, with a way back (issue 17.3)."""
from __future__ import annotations

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.test import Client
from django.urls import include, path
from django.utils import translation

from caregiving_course import urls as site_urls

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in French leaves French active in this thread (LocaleMiddleware): the next tests expect none."""
    yield
    translation.deactivate()


def _raise(exception):
    def view(request):
        raise exception
    return view


# This module is also the URLconf of the 400/403/500 tests: the site's URLs and handlers, and views that fail.
urlpatterns = [
    path("fail/400/", _raise(BadRequest("bad"))),
    path("fail/403/", _raise(PermissionDenied())),
    path("fail/500/", _raise(RuntimeError("boom"))),
    path("", include(site_urls)),
]
handler400, handler403, handler404, handler500 = (site_urls.handler400, site_urls.handler403, site_urls.handler404,
                                                  site_urls.handler500)

WAYS_BACK = ('href="/"', "skip-link", 'class="site-header"')
ENGLISH = ("Page not found", "There is no page", "Go to the home page", "Something went wrong", "Sign in")


def get(path_: str, language: str, user=None):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client.get(path_)


@pytest.mark.parametrize("language", ["en", "fr-CA"])
@pytest.mark.parametrize("path_", ["/course/module/nope/", "/no/such/page/", "/badges/assertions/nope/"])
def test_not_found_pages_use_the_layout_and_the_readers_language(path_, language, learner_user):
    page = get(path_, language, learner_user)
    html = page.content.decode()
    assert page.status_code == 404 and all(w in html for w in WAYS_BACK), html[:400]
    assert 'href="/course/"' in html  # signed in: back to the course
    assert "Resolver404" not in html and "tried" not in html
    if language == "en":
        assert '<html lang="en">' in html and "Page not found" in html
    else:
        assert '<html lang="fr">' in html and "Page introuvable" in html
        assert not [s for s in ENGLISH if s in html], [s for s in ENGLISH if s in html]


def test_a_module_that_does_not_exist_says_so(learner_user):
    html = get("/course/module/nope/", "fr-CA", learner_user).content.decode()
    assert "Ce module n’existe pas dans le cours." in html


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("status", [400, 403, 500])
@pytest.mark.parametrize("language", ["en", "fr-CA"])
def test_error_pages_use_the_layout_and_the_readers_language(status, language):
    page = get(f"/fail/{status}/", language)
    html = page.content.decode()
    assert page.status_code == status and all(w in html for w in WAYS_BACK), html[:400]
    assert 'href="/accounts/login/"' in html  # signed out: a way to sign in
    assert ("boom" not in html) and ("Traceback" not in html)
    if language != "en":
        assert '<html lang="fr">' in html
        assert not [s for s in ENGLISH if s in html], [s for s in ENGLISH if s in html]


def test_a_refused_csrf_check_is_explained_in_the_layout():
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="fr")
    page = client.post("/accounts/login/", {"username": "x", "password": "y"})
    html = page.content.decode()
    assert page.status_code == 403 and 'class="site-header"' in html and '<html lang="fr">' in html
    assert "Rechargez la page" in html
