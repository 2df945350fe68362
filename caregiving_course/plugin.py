"""Our Django apps as Open edX plugin apps: their ``plugin_app`` declarations and the settings they read.

edx-platform (and any project built the same way) loads plugin apps with ``edx_django_utils.plugins``: the
``lms.djangoapp`` / ``cms.djangoapp`` entry points (setup.py) name the AppConfigs, ``get_plugin_apps`` adds
them to ``INSTALLED_APPS``, ``add_plugins`` calls each app's ``plugin_settings(settings)`` for the settings
type being loaded (``common``, then ``production``) and ``get_plugin_url_patterns`` mounts each app's
``url_config``. Our own server (``caregiving_course.settings``) sets the same settings itself.

The settings a host may set first (each read again on every call, so ``production`` sees the final values):

- ``CAREGIVING_BASE_URL``: our public URL in LTI and badge links (default: the LMS's ``LMS_ROOT_URL``);
- ``CAREGIVING_KEYS_DIR``: where the LTI and issuer keys live, readable by the service only (default:
  ``DATA_DIR/caregiving/keys``, the LMS's data folder);
- ``CAREGIVING_CONTENT_DIR``: the catalogue's first course (default: the first course this package ships);
- ``CAREGIVING_COURSES_DIR``: where ``caregiving course add`` installs courses (default:
  ``DATA_DIR/caregiving/courses``).
"""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SHIPPED_CONTENT = PACKAGE_DIR / "content"
SHIPPED_COURSES = PACKAGE_DIR / "courses"
SETTINGS_TYPES = ("common", "production")
DEFAULT_BASE_URL = "http://localhost:8000"


def declare_plugin_app(*, lms_urls: tuple[str, str] | None = None, lms_root_urls: str = "",
                       cms: bool = False) -> dict:
    """An AppConfig's ``plugin_app``: its ``plugin_settings`` module for the LMS (and the CMS when ``cms``),
    and, with ``lms_urls`` = (namespace, URL prefix), its ``urls`` module mounted in the LMS under the prefix;
    or, with ``lms_root_urls`` (a module of the app), that module mounted at the LMS's root with no namespace
    (``edx_django_utils`` includes it as is when the namespace is empty), for an app whose URLs live under
    several prefixes, each ``include`` carrying its own namespace."""
    projects = ["lms.djangoapp", "cms.djangoapp"] if cms else ["lms.djangoapp"]
    declared: dict = {"settings_config": {project: {kind: {"relative_path": "plugin_settings"}
                                                    for kind in SETTINGS_TYPES} for project in projects}}
    if lms_urls:
        namespace, prefix = lms_urls
        declared["url_config"] = {"lms.djangoapp": {"namespace": namespace, "regex": rf"^{prefix}/",
                                                    "relative_path": "urls"}}
    elif lms_root_urls:
        declared["url_config"] = {"lms.djangoapp": {"namespace": "", "regex": r"^",
                                                    "relative_path": lms_root_urls}}
    return declared


def _set_default(settings, name: str, value) -> None:
    if not hasattr(settings, name):
        setattr(settings, name, value)


def site_settings(settings) -> None:
    """``BASE_URL`` (links we publish: LTI, badges) and ``KEYS_DIR`` (our private keys)."""
    base = getattr(settings, "CAREGIVING_BASE_URL", "") or getattr(settings, "LMS_ROOT_URL", "") \
        or getattr(settings, "BASE_URL", "") or DEFAULT_BASE_URL
    settings.BASE_URL = str(base).rstrip("/")
    keys = getattr(settings, "CAREGIVING_KEYS_DIR", "")
    if not keys and getattr(settings, "DATA_DIR", None):
        keys = Path(settings.DATA_DIR) / "caregiving" / "keys"
    settings.KEYS_DIR = Path(keys or getattr(settings, "KEYS_DIR", "") or Path.cwd() / "var" / "keys")


def course_settings(settings) -> None:
    """The catalogue's folders (``CONTENT_DIR``, ``SHIPPED_COURSES_DIR``, ``COURSES_DIR``) and the hours policy's
    ``HEARTBEAT_*`` seconds (DESIGN.md)."""
    settings.CONTENT_DIR = Path(getattr(settings, "CAREGIVING_CONTENT_DIR", "") or SHIPPED_CONTENT)
    settings.SHIPPED_COURSES_DIR = SHIPPED_COURSES
    installed = getattr(settings, "CAREGIVING_COURSES_DIR", "")
    if not installed and getattr(settings, "DATA_DIR", None):
        installed = Path(settings.DATA_DIR) / "caregiving" / "courses"
    settings.COURSES_DIR = Path(installed or getattr(settings, "COURSES_DIR", "") or Path.cwd() / "var" / "courses")
    _set_default(settings, "HEARTBEAT_INTERVAL_SECONDS", 15)  # between the beats a module page sends
    _set_default(settings, "HEARTBEAT_MAX_CREDIT_SECONDS", 30)  # the most one beat may credit
    _set_default(settings, "HEARTBEAT_IDLE_SECONDS", 120)  # interaction this recent, or the beat is not counted
