"""The plugin apps' settings as edx-platform applies them: ``common`` first, ``production`` after the host's own
production values; what the host set stays, and derived values follow the host's final ones."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from unittest.mock import ANY

from caregiving_course.plugin import SHIPPED_CONTENT, course_settings, declare_plugin_app, site_settings


def test_site_settings_follow_the_lms_root_url_from_common_to_production():
    settings = SimpleNamespace(LMS_ROOT_URL="http://localhost:18000", DATA_DIR="/openedx/data")
    site_settings(settings)  # common
    assert settings.BASE_URL == "http://localhost:18000"
    assert settings.KEYS_DIR == Path("/openedx/data/caregiving/keys")
    settings.LMS_ROOT_URL = "https://courses.example.org/"  # production.py reads the site's own
    site_settings(settings)  # production
    assert settings.BASE_URL == "https://courses.example.org"


def test_the_hosts_caregiving_settings_win():
    settings = SimpleNamespace(LMS_ROOT_URL="http://lms", CAREGIVING_BASE_URL="https://badges.example.org",
                               CAREGIVING_KEYS_DIR="/srv/keys", CAREGIVING_CONTENT_DIR="/srv/course",
                               HEARTBEAT_IDLE_SECONDS=60)
    site_settings(settings)
    course_settings(settings)
    assert (settings.BASE_URL, settings.KEYS_DIR, settings.CONTENT_DIR) == (
        "https://badges.example.org", Path("/srv/keys"), Path("/srv/course"))
    assert settings.HEARTBEAT_IDLE_SECONDS == 60 and settings.HEARTBEAT_INTERVAL_SECONDS == 15


def test_without_a_host_the_shipped_course_and_defaults():
    settings = SimpleNamespace()
    site_settings(settings)
    course_settings(settings)
    assert settings.CONTENT_DIR == SHIPPED_CONTENT and (SHIPPED_CONTENT / "course.yaml").is_file()
    assert settings.BASE_URL == "http://localhost:8000"


def test_plugin_app_declares_settings_for_both_settings_types_and_urls_for_the_lms_only():
    declared = declare_plugin_app(lms_urls=("sync", "badges"), cms=True)
    for project in ("lms.djangoapp", "cms.djangoapp"):
        assert declared["settings_config"][project] == {"common": {"relative_path": "plugin_settings"},
                                                        "production": {"relative_path": "plugin_settings"}}
    assert declared["url_config"] == {"lms.djangoapp": {"namespace": "sync", "regex": "^badges/",
                                                        "relative_path": "urls"}}


def test_an_app_with_urls_under_several_prefixes_is_mounted_at_the_root_without_a_namespace():
    declared = declare_plugin_app(lms_root_urls="plugin_urls")
    assert declared["url_config"] == {"lms.djangoapp": {"namespace": "", "regex": "^", "relative_path": "plugin_urls"}}


def test_the_clr_scope_joins_the_hosts_oauth_settings():
    from sync.plugin_settings import CREDENTIAL_READ, oauth_settings

    host = SimpleNamespace(OAUTH2_PROVIDER={"SCOPES": {"read": "Read"}, "PKCE_REQUIRED": False})
    oauth_settings(host)
    assert host.OAUTH2_PROVIDER == {"SCOPES": {"read": "Read", CREDENTIAL_READ: ANY}, "PKCE_REQUIRED": False}
    alone = SimpleNamespace()
    oauth_settings(alone)
    assert alone.OAUTH2_PROVIDER["SCOPES"] == {CREDENTIAL_READ: ANY} and alone.OAUTH2_PROVIDER["PKCE_REQUIRED"]
