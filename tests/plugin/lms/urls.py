"""URLs of the minimal LMS-style project: the host's own few, then every plugin app's, as lms/urls.py does."""
from django.contrib.auth import views as auth_views
from django.urls import include, path
from edx_django_utils.plugins import get_plugin_url_patterns

from tests.plugin.lms.settings import ProjectType

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("login", auth_views.LoginView.as_view(), name="signin_user"),
]
urlpatterns.extend(get_plugin_url_patterns(ProjectType.LMS))
