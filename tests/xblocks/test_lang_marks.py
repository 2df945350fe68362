"""Words shown in the course's own language on a page in another language carry their own ``lang`` (issue 22.1).

The test content translates the alpha module and the certificate into French, not the beta module, the badge,
the college certificate or the course's title: on French pages those keep their English words, marked
``lang="en"``; the translated ones are shown in French, unmarked.
"""
from __future__ import annotations

import re

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_reset():
    yield
    translation.deactivate()


def test_home_and_course_pages_mark_what_has_no_french(client, learner_user):
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-CA").content.decode()
    assert re.search(r'<h2 id="course-[^"]+" lang="en">[^<]+</h2>', home)  # the test course's title: no French
    assert re.search(r'<span lang="en">Beta module</span>', home), home
    assert "<span>Module alpha</span>" in home
    assert re.search(r'<h4 id="cred-test-badge" lang="en">Test Badge</h4>', home)
    assert re.search(r'<h4 id="cred-test-certificate">Certificat de formation d&#x27;essai</h4>', home)
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' not in english.split("<main", 1)[1]  # nothing to mark on an English page
    client.force_login(learner_user)
    course = client.get("/course/", HTTP_ACCEPT_LANGUAGE="fr-CA").content.decode()
    assert re.search(r'href="/course/module/beta/" lang="en">Beta module<', course), course
    assert re.search(r'href="/course/module/alpha/">[^<]+<', course)
