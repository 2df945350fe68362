"""The badge platforms' secrets and OAuth tokens are sealed at rest with a key kept outside the database."""
from __future__ import annotations

import importlib
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.db import connection

from tests.fakes import badge_platform as fake

pytestmark = pytest.mark.database  # the column types and the migration's sealing on every database


@pytest.fixture
def keys(settings, tmp_path) -> Path:
    settings.KEYS_DIR = tmp_path / "keys"
    return tmp_path / "keys" / "sync" / "secrets.key"


def _stored(table: str, column: str, backend: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE backend = %s", [backend])  # noqa: S608
        return cursor.fetchone()[0]


def test_secrets_and_tokens_are_stored_sealed_and_read_back(db, keys):
    from sync import config
    from sync.models import OAuthToken

    config.update_settings("badgr", {"url": "https://badgr.example", "username": "u", "password": fake.PASSWORD,
                                     "client_secret": "very-secret-client"})
    raw = _stored("sync_backendsettings", "secrets", "badgr")
    assert raw.startswith("sealed:v1:") and fake.PASSWORD not in raw and "very-secret-client" not in raw
    assert config.settings_of("badgr") == ({"url": "https://badgr.example", "username": "u"},
                                           {"password": fake.PASSWORD, "client_secret": "very-secret-client"})
    OAuthToken.objects.create(backend="badgr", access_token="access-123", refresh_token="refresh-456")
    for column, secret in (("access_token", "access-123"), ("refresh_token", "refresh-456")):
        assert _stored("sync_oauthtoken", column, "badgr").startswith("sealed:v1:")
        assert secret not in _stored("sync_oauthtoken", column, "badgr")
    row = OAuthToken.objects.get(backend="badgr")
    assert (row.access_token, row.refresh_token) == ("access-123", "refresh-456")
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600


def test_values_stored_before_sealing_are_read_then_sealed_by_the_migration(db, keys):
    from sync.models import BackendSettings, OAuthToken

    BackendSettings.objects.create(backend="credly")
    OAuthToken.objects.create(backend="badgr")
    with connection.cursor() as cursor:  # as an older version of the product left them
        cursor.execute("UPDATE sync_backendsettings SET secrets = %s WHERE backend = 'credly'", ['{"token": "plain"}'])
        cursor.execute("UPDATE sync_oauthtoken SET refresh_token = 'plain-refresh' WHERE backend = 'badgr'")
    assert BackendSettings.objects.get(backend="credly").secrets == {"token": "plain"}
    assert OAuthToken.objects.get(backend="badgr").refresh_token == "plain-refresh"
    migration = importlib.import_module("sync.migrations.0002_sealed_secrets")
    migration.seal_stored(apps, connection.schema_editor())
    assert "plain" not in _stored("sync_backendsettings", "secrets", "credly")
    assert _stored("sync_oauthtoken", "refresh_token", "badgr").startswith("sealed:v1:")
    assert BackendSettings.objects.get(backend="credly").secrets == {"token": "plain"}
    assert OAuthToken.objects.get(backend="badgr").refresh_token == "plain-refresh"
    migration.unseal_stored(apps, connection.schema_editor())  # reversing the migration writes them back plain
    assert _stored("sync_backendsettings", "secrets", "credly").replace(" ", "") == '{"token":"plain"}'
    assert _stored("sync_oauthtoken", "refresh_token", "badgr") == "plain-refresh"


def test_a_missing_or_foreign_key_is_an_error_that_says_how_to_recover(db, keys):
    from sync import config, sealed
    from sync.models import OAuthToken

    config.update_settings("credly", {"token": "t-1"})
    OAuthToken.objects.create(backend="credly", access_token="sealed-with-the-lost-key")
    keys.unlink()
    sealed._box.cache_clear()
    with pytest.raises(sealed.SecretsUnreadable, match=r"restore that file .* caregiving issuer set"):
        config.settings_of("credly")
    keys.write_bytes(Fernet.generate_key())
    sealed._box.cache_clear()
    with pytest.raises(sealed.SecretsUnreadable, match="sealed with another key"):
        config.settings_of("credly")
    config.update_settings("credly", {"token": "t-2"})  # entering the secret again seals it with this key
    assert config.settings_of("credly")[1] == {"token": "t-2"}
    assert not OAuthToken.objects.filter(backend="credly").exists()  # tokens of the lost key: fetched anew


def test_the_command_line_says_how_to_recover_unreadable_secrets(db, keys, capsys):
    from caregiving_course.cli.main import main
    from sync import config, sealed

    config.update_settings("credly", {"token": "t-1"})
    keys.unlink()
    sealed._box.cache_clear()
    assert main(["issuer", "show"]) == 2
    error = capsys.readouterr().err
    assert "restore that file" in error and "caregiving issuer set" in error and "Traceback" not in error
