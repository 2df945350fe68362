"""Issue 21 in the embedded server: failed sign-ins are throttled per account and per client address (the site's
page and the admin's, in the reader's language, shared by processes through the cache), sign-up says nothing of
who has an account, names lose invisible direction marks, the workbench is never served, HSTS behind a TLS proxy,
and the home folder and database are readable by the service only."""
from __future__ import annotations

import os
import re
import stat

import pytest
import requests
from django.test import Client

from tests.foundation.test_server import REDIS_URL, _redis_up, csrf, start_server

PASSWORD = "correct-horse-9"


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def _sign_in(client: Client, email: str, password: str, *, address: str = "203.0.113.5", path: str = "/accounts/login/",
             language: str = "en"):
    return client.post(path, {"username": email, "password": password}, REMOTE_ADDR=address,
                       HTTP_ACCEPT_LANGUAGE=language)


def test_an_account_is_locked_after_failures_from_many_addresses(db, make_user, limit):
    make_user("ria@example.org", password=PASSWORD)
    for n in range(limit - 1):
        assert _sign_in(Client(), "ria@example.org", "wrong", address=f"198.51.100.{n}").status_code == 200
    assert _sign_in(Client(), "ria@example.org", "wrong", address="198.51.100.99").status_code == 429  # the limit
    locked = _sign_in(Client(), "RIA@example.org ", PASSWORD, address="192.0.2.77")  # right password, new address
    assert locked.status_code == 429 and "_auth_user_id" not in locked.client.session
    assert "too many failed attempts" in locked.content.decode() and 'role="alert"' in locked.content.decode()
    assert int(locked["Retry-After"]) > 0


def test_an_address_is_locked_after_failures_on_many_accounts(db, make_user, limit):
    make_user("sam@example.org", password=PASSWORD)
    for n in range(limit):
        _sign_in(Client(), f"guess{n}@example.org", "wrong")
    assert _sign_in(Client(), "sam@example.org", PASSWORD).status_code == 429
    assert _sign_in(Client(), "sam@example.org", PASSWORD, address="192.0.2.1").status_code == 302  # elsewhere


def test_the_admin_sign_in_is_throttled_too_and_the_page_speaks_french(db, make_user, limit):
    make_user("boss@example.org", role="administrator", password=PASSWORD)
    for _ in range(limit):
        _sign_in(Client(), "boss@example.org", "wrong", path="/admin/login/")
    page = _sign_in(Client(), "boss@example.org", PASSWORD, path="/admin/login/", language="fr")
    text = page.content.decode()
    assert page.status_code == 429 and 'lang="fr"' in text and "Trop de tentatives" in text
    assert re.search(r"<h1>[^<]+</h1>", text) and 'role="alert"' in text


def test_failures_counted_by_one_process_lock_out_at_another(tmp_path):
    """Two `caregiving serve` processes on one database and one Redis cache share the failure counts."""
    from tests.conftest import require

    require(_redis_up(), "Redis on 127.0.0.1:6379")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {"CAREGIVING_CACHE_URL": REDIS_URL, "CAREGIVING_SIGNIN_FAILURES": "3"}
    with start_server(tmp_path, env) as first, start_server(tmp_path, env) as second:
        s = requests.Session()
        token = csrf(s, first + "/accounts/signup/")
        s.post(first + "/accounts/signup/", data={"csrfmiddlewaretoken": token, "name": "Ria",
                                                  "email": "ria@example.org", "password": "a-long-passphrase"})
        for _ in range(3):
            token = csrf(s, first + "/accounts/login/")
            s.post(first + "/accounts/login/", data={"csrfmiddlewaretoken": token, "username": "ria@example.org",
                                                     "password": "wrong"}, timeout=10)
        other = requests.Session()
        token = csrf(other, second + "/accounts/login/")
        answer = other.post(second + "/accounts/login/", data={"csrfmiddlewaretoken": token,
                                                               "username": "ria@example.org",
                                                               "password": "a-long-passphrase"},
                            timeout=10, allow_redirects=False)
        assert answer.status_code == 429
    redis.Redis.from_url(REDIS_URL).flushdb()


def _sign_up(client: Client, email: str, password: str, name: str = "Someone"):
    client.get("/accounts/signup/")
    return client.post("/accounts/signup/", {"name": name, "email": email, "password": password}, follow=True)


def test_sign_up_answers_the_same_whether_or_not_the_address_has_an_account(db, make_user):
    existing = make_user("known@example.org", password=PASSWORD)
    known = _sign_up(Client(), "KNOWN@example.org", "another-passphrase", name="Intruder")
    new = _sign_up(Client(), "unknown@example.org", "another-passphrase", name="Newcomer")
    assert known.status_code == new.status_code == 200
    assert known.redirect_chain == new.redirect_chain == [("/accounts/login/?next=/course/", 302)]
    strip = (lambda page: re.sub(r'value="[^"]{20,}"', "", page.content.decode()))  # noqa: E731 (CSRF tokens)
    assert strip(known) == strip(new)
    existing.refresh_from_db()
    assert existing.check_password(PASSWORD) and existing.first_name != "Intruder"
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="unknown@example.org").check_password("another-passphrase")


@pytest.mark.parametrize("raw,shown", [
    ("Ana\u202eTXT.exe", "AnaTXT.exe"), ("Be\u200bn\u200d", "Ben"), ("\u2066Sam\u2069 Lee\ufeff", "Sam Lee"),
    ("Zo\x00e\r\nX", "Zo e X"), ("Cafe\u0301", "Caf\u00e9"),
])
def test_names_lose_direction_overrides_zero_width_and_control_characters(db, raw, shown):
    from caregiving_course.learner_record import api

    learner = api.learner_for_identity("lti", f"sub-{abs(hash(raw))}", issuer="https://lms.example", name=raw)
    assert learner.name == shown
    user = api.add_user(f"n{abs(hash(raw))}@example.org", "learner", name=raw)
    assert user.first_name == shown and api.learner_for_user(user).name == shown


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`caregiving serve` with the workbench asked for and behind a TLS proxy, in a home it creates."""
    home = tmp_path_factory.mktemp("served") / "new-home"
    with start_server(home, {"CAREGIVING_WORKBENCH": "1", "CAREGIVING_BEHIND_TLS_PROXY": "1"}) as base:
        yield base, home


@pytest.mark.parametrize("path", ["/workbench/", "/workbench/reset_state", "/workbench/scenario/x/", "/userlist/",
                                  "/workbench/admin/", "/workbench/view/x/"])
def test_caregiving_serve_never_mounts_the_workbench(served, path):
    base, _ = served
    for method in ("GET", "POST"):
        answer = requests.request(method, base + path, headers={"Referer": "http://evil.example/"}, timeout=10,
                                  allow_redirects=False)
        assert answer.status_code == 404, (method, path, answer.status_code)


def test_hsts_behind_a_tls_proxy(served):
    base, _ = served
    secure = requests.get(base + "/", headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Secure" in secure.headers["Set-Cookie"]
    assert "script-src 'self'" in secure.headers["Content-Security-Policy"]


def test_no_hsts_without_a_tls_proxy(tmp_path):
    with start_server(tmp_path) as base:
        assert "Strict-Transport-Security" not in requests.get(base + "/", timeout=10).headers


def test_the_home_folder_and_the_database_are_private(served):
    base, home = served
    requests.get(base + "/accounts/login/", timeout=10)  # the server's connection keeps -wal and -shm open
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
    files = [home / "caregiving.sqlite3", home / "caregiving.sqlite3-wal", home / "caregiving.sqlite3-shm"]
    assert all(f.exists() for f in files), os.listdir(home)
    assert {f.name: oct(stat.S_IMODE(os.stat(f).st_mode)) for f in files} == {f.name: "0o600" for f in files}


def test_an_existing_world_readable_database_is_made_private(tmp_path):
    import subprocess
    import sys

    database = tmp_path / "caregiving.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o644)
    env = {**os.environ, "CAREGIVING_HOME": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "caregiving_course.cli.main", "user", "list"], env=env, check=True,
                   capture_output=True, timeout=120)
    assert stat.S_IMODE(os.stat(database).st_mode) == 0o600


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/course/ping", "/course/resource/xblocks/runtime.js"])
def test_a_head_answer_has_no_body_so_the_connection_stays_in_step(served, path):
    """waitress sends what the application returns, and Django returns GET's body to HEAD: a kept-alive client
    (or a proxy pooling connections) would read that body as the answer to its next request."""
    import socket
    from urllib.parse import urlsplit

    base, _ = served
    with socket.create_connection((urlsplit(base).hostname, urlsplit(base).port), timeout=10) as conn:
        conn.sendall(f"HEAD {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /course/ping HTTP/1.1\r\n"
                     f"Host: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"Content-Length" in head, head[:200]
    assert rest.startswith(b"HTTP/1.1 200"), rest[:80]  # the next answer follows the headers at once
