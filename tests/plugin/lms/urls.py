"""URLs of the minimal LMS-style project: the host's own few, then every plugin app's, as lms/urls.py does.

``/static/`` stands in for what serves the LMS's collected static files in production (nginx over
``collectstatic``): Django's staticfiles finders, so each plugin app's ``static/`` folder is served as collected."""
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles.views import serve
from django.urls import include, path, re_path
from edx_django_utils.plugins import get_plugin_url_patterns

from tests.plugin.lms.settings import ProjectType

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("login", auth_views.LoginView.as_view(), name="signin_user"),
    re_path(r"^static/(?P<path>.*)$", serve, {"insecure": True}),
]
urlpatterns.extend(get_plugin_url_patterns(ProjectType.LMS))
