"""Settings of a minimal LMS-style project, built the way edx-platform builds ``lms/envs/common.py``.

What a host LMS has of its own (database, Django's apps and middleware, its root URL and data folder) is
written here; everything of ours comes through ``edx_django_utils.plugins``: ``get_plugin_apps`` adds our apps
from their ``lms.djangoapp`` entry points, ``add_plugins`` runs their ``plugin_settings`` for the ``common``
settings type, and ``urls.py`` mounts ``get_plugin_url_patterns``. Nothing of ``caregiving_course.settings``.
"""
import os
from pathlib import Path

from edx_django_utils.plugins import add_plugins, get_plugin_apps


class ProjectType:
    """edx-platform's ``openedx.core.djangoapps.plugins.constants.ProjectType``."""

    LMS = "lms.djangoapp"


class SettingsType:
    """edx-platform's ``openedx.core.djangoapps.plugins.constants.SettingsType``."""

    COMMON = "common"


DATA_DIR = Path(os.environ["LMS_DATA_DIR"])
LMS_ROOT_URL = os.environ.get("LMS_ROOT_URL", "http://127.0.0.1:8000")
SECRET_KEY = os.environ["LMS_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "lms.sqlite3",
                         "OPTIONS": {"timeout": 30}}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "oauth2_provider",  # edx-platform runs its OAuth 2.0 server on django-oauth-toolkit (oauth_dispatch)
]
INSTALLED_APPS.extend(get_plugin_apps(ProjectType.LMS))

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "tests.plugin.lms.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.template.context_processors.i18n",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
USE_I18N = True
TIME_ZONE = "America/Toronto"
USE_TZ = True
STATIC_URL = "/static/"
LOGIN_URL = "/login"
XBLOCK_SETTINGS = {}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test accounts, made fast
# The host's own OAuth 2.0 settings (edx-platform's are longer): our plugin adds the CLR scope to them.
OAUTH2_PROVIDER = {"SCOPES": {"read": "Read", "write": "Write", "profile": "Profile"},
                   "DEFAULT_SCOPES": ["read"], "ACCESS_TOKEN_EXPIRE_SECONDS": 3600}

add_plugins(__name__, ProjectType.LMS, SettingsType.COMMON)
