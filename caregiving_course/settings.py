"""Django settings for the embedded server (`caregiving serve`) and the tests.

Everything a deployment changes comes from the environment:

- ``CAREGIVING_HOME``: folder for the SQLite database, keys and media (default ``./var``).
- ``DATABASE_URL``: ``sqlite:///path``, ``postgres://…`` or ``mysql://…`` (default SQLite in home).
- ``CAREGIVING_SECRET_KEY``: Django secret; generated and kept in home when absent.
- ``CAREGIVING_BASE_URL``: public URL of the server (used in LTI and badge URLs); ``serve`` derives it from its port
  when unset.
- ``CAREGIVING_TIME_ZONE``: the zone people read times in (default America/Toronto).
- ``CAREGIVING_SIGNUP_COHORT``: the open offering of the first course that learners who sign up themselves join
  when it has no other open offering (default open-enrolment; another course's is ``<name>-<course id>``).
- ``CAREGIVING_WORKBENCH=1``: mount the XBlock workbench at ``/workbench/`` (development only; never in
  ``caregiving serve``).
- ``CAREGIVING_ALLOW_PRIVATE_HOSTS``: hosts on private or loopback addresses the server may call for LTI
  (comma-separated; for tests and labs only).
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from sync.plugin_settings import clr_oauth_provider

BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("CAREGIVING_HOME", Path.cwd() / "var")).resolve()
HOME.mkdir(mode=0o700, parents=True, exist_ok=True)


def _secret_key() -> str:
    if os.environ.get("CAREGIVING_SECRET_KEY"):
        return os.environ["CAREGIVING_SECRET_KEY"]
    path = HOME / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("CAREGIVING_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("CAREGIVING_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
BASE_URL = os.environ.get("CAREGIVING_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
KEYS_DIR = Path(os.environ.get("CAREGIVING_KEYS_DIR", HOME / "keys"))
CONTENT_DIR = Path(os.environ.get("CAREGIVING_CONTENT", BASE_DIR / "content"))  # the catalogue's first course
SHIPPED_COURSES_DIR = BASE_DIR / "courses"  # the other courses the package ships
COURSES_DIR = HOME / "courses"  # the courses `caregiving course add` installs

WORKBENCH_ENABLED = os.environ.get("CAREGIVING_WORKBENCH") == "1"  # caregiving serve turns it off
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    *(["workbench"] if WORKBENCH_ENABLED else []),
    "axes",
    "csp",
    "caregiving_course.learner_record.apps.LearnerRecordConfig",
    "caregiving_course.server.apps.ServerConfig",
    "caregiving_course.manage.apps.ManageConfig",
    "xblocks.apps.XBlocksConfig",
    "lti_bridge.apps.LtiBridgeConfig",
    "sync.apps.SyncConfig",
    "sync.xapi.apps.XapiConfig",  # xAPI statements to partners' learning record stores
    "oauth2_provider",  # the CLR 2.0 API's OAuth 2.0 server (sync.clr_service)
]

MIDDLEWARE = [
    "caregiving_course.server.beat_path.HeartbeatPath",  # a heartbeat's short path through the ones below
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

# The CLR 2.0 API's OAuth 2.0 server: authorization code grant with PKCE, the CLR scopes only.
OAUTH2_PROVIDER = clr_oauth_provider()
# Dynamic client registration is open (the standard asks for it): at most this many tries an hour from one
# client address (429 after that); refused tries count too, and create nothing.
CLR_REGISTRATIONS_PER_HOUR = int(os.environ.get("CAREGIVING_CLR_REGISTRATIONS_PER_HOUR", "20"))

ROOT_URLCONF = "caregiving_course.urls"
WSGI_APPLICATION = "caregiving_course.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{HOME / 'caregiving.sqlite3'}"),
        conn_max_age=int(os.environ.get("CAREGIVING_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE avoids lock upgrades mid-transaction; the
    # writers of this process queue on a lock rather than sleep in SQLite's busy handler.
    DATABASES["default"]["ENGINE"] = "caregiving_course.sqlite"
    # The database holds password hashes and session keys: readable by the service only. SQLite gives its
    # -wal and -shm files the database file's mode.
    _DB_FILE = Path(str(DATABASES["default"]["NAME"]))
    if _DB_FILE.parent.is_dir() and str(_DB_FILE) not in ("", ":memory:"):
        _DB_FILE.touch(mode=0o600)
        _DB_FILE.chmod(0o600)
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django turns psycopg's preparing off (prepare_threshold None) for transaction-mode connection poolers,
    # and then psycopg ignores even a cursor's prepare=True. Django's own cursors bind on the client and never
    # prepare; the heartbeat's cursor asks to (learner_record.heartbeats). Behind a pooler that does not
    # support prepared statements, set CAREGIVING_PG_PREPARE=0.
    if os.environ.get("CAREGIVING_PG_PREPARE", "1") != "0":
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"charset": "utf8mb4", "isolation_level": "read committed"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# The embed backend authenticates one request inside a partner's iframe by its signed LTI embed token; the model
# backend carries django-axes's lockout check.
AUTHENTICATION_BACKENDS = ["caregiving_course.server.auth.FastModelBackend", "lti_bridge.auth.EmbedTokenBackend"]
LOGIN_URL = "/accounts/login/"
# Learners who create their own account join this cohort, so its instructors follow them on the dashboard.
SIGNUP_COHORT = os.environ.get("CAREGIVING_SIGNUP_COHORT", "open-enrolment")
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("CAREGIVING_TIME_ZONE", "America/Toronto")  # shown named (local_time)
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True  # serve each app's static files without a collectstatic step

# Behind a proxy that ends TLS (set CAREGIVING_BEHIND_TLS_PROXY=1): trust its X-Forwarded-Proto, so LTI
# signatures and cookie attributes see the https URL the browser used.
BEHIND_TLS_PROXY = os.environ.get("CAREGIVING_BEHIND_TLS_PROXY") == "1"
TRUSTED_PROXY = os.environ.get("CAREGIVING_TRUSTED_PROXY", "127.0.0.1")  # the proxy's address (caregiving serve)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # other services of the college's domain are not ours to bind

# Content-Security-Policy (django-csp): scripts and styles from this server only, inline ones by the
# response's nonce; LTI pages replace frame-ancestors with their platform's origin (lti_bridge.embed).
_PUBLIC_ORIGIN = "/".join(BASE_URL.split("/")[:3])
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": [SELF, _PUBLIC_ORIGIN], "script-src": [SELF, _PUBLIC_ORIGIN, NONCE],
    "style-src": [SELF, _PUBLIC_ORIGIN, NONCE], "img-src": [SELF, _PUBLIC_ORIGIN, "data:"],
    "object-src": [NONE], "base-uri": [SELF], "frame-ancestors": [SELF]}}

# Request bodies: waitress refuses (413) any larger than MAX_REQUEST_BODY_BYTES before the application
# runs (a 2 MB badge image in a form is the largest we take); Django reads at most
# DATA_UPLOAD_MAX_MEMORY_SIZE of a body that is not a file upload.
MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024

# Failed sign-ins (django-axes, on the site's and the admin's sign-in pages): after AXES_FAILURE_LIMIT
# failures for one account, or from one client address (REMOTE_ADDR: behind a TLS proxy, the address the
# proxy forwarded, see cli/serve.py), sign-in is refused (429) for AXES_COOLOFF_TIME.
# Counts live in the cache, so processes sharing CAREGIVING_CACHE_URL share them.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("CAREGIVING_SIGNIN_FAILURES", "10"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("CAREGIVING_SIGNIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "caregiving_course.server.throttle.locked_out"
AXES_USERNAME_CALLABLE = "caregiving_course.server.throttle.account"
# Wrong enrolment codes (caregiving_course/server/code_throttle.py): after ENROLMENT_CODE_FAILURES from one client
# address, codes are refused (429) for ENROLMENT_CODE_COOLOFF.
ENROLMENT_CODE_FAILURES = int(os.environ.get("CAREGIVING_ENROLMENT_CODE_FAILURES", "10"))
ENROLMENT_CODE_COOLOFF = dt.timedelta(minutes=int(os.environ.get("CAREGIVING_ENROLMENT_CODE_LOCKOUT_MINUTES", "15")))
AXES_VERBOSE = False

# Hosts on private, loopback or link-local addresses that the LTI bridge may call anyway (lti_bridge.fetch).
ALLOW_PRIVATE_HOSTS = [h.strip().lower() for h in os.environ.get("CAREGIVING_ALLOW_PRIVATE_HOSTS", "").split(",")
                       if h.strip()]

# Every open module page sends a heartbeat every few seconds, each of which reads the session and the
# signed-in user: sessions live in the database with a cache in front, and the user's row is cached for
# USER_CACHE_SECONDS (see caregiving_course/server/auth.py). One `caregiving serve` process caches in its
# own memory (room for 50,000 entries: a session and a user row per signed-in learner); several processes
# serving one database must share a cache (CAREGIVING_CACHE_URL=redis://host:6379/0, with the `redis`
# extra installed), or a session ended in one would live on in the others' caches.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
USER_CACHE_SECONDS = int(os.environ.get("CAREGIVING_USER_CACHE_SECONDS", "60"))
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "caregiving",
                      "OPTIONS": {"MAX_ENTRIES": 50_000}}}
if os.environ.get("CAREGIVING_CACHE_URL"):
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                         "LOCATION": os.environ["CAREGIVING_CACHE_URL"], "KEY_PREFIX": "caregiving"}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "SAMEORIGIN"
CSRF_FAILURE_VIEW = "caregiving_course.server.errors.csrf_failure"  # in the site's layout and language

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CAREGIVING_LOG_LEVEL", "WARNING")},
}

# Hours policy (DESIGN.md): seconds between heartbeats the page sends, the most one beat may
# credit, and how recent the learner's last interaction must be for a beat to count.
HEARTBEAT_INTERVAL_SECONDS = int(os.environ.get("CAREGIVING_HEARTBEAT_INTERVAL", "15"))
HEARTBEAT_MAX_CREDIT_SECONDS = int(os.environ.get("CAREGIVING_HEARTBEAT_MAX_CREDIT", "30"))
HEARTBEAT_IDLE_SECONDS = int(os.environ.get("CAREGIVING_HEARTBEAT_IDLE", "120"))

# Workbench (xblock-sdk) settings it reads from Django settings.
WORKBENCH = {"reset_state_on_restart": False}
