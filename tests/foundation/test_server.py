"""`caregiving serve` as a user starts it: a real WSGI server, the course loaded, sign-up and sign-in."""
from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time

import pytest
import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def start_server(home, extra_env: dict | None = None):
    """`caregiving serve` on a free port in a fresh home; yields its base URL, stops it afterwards."""
    port = free_port()
    env = {**os.environ, "CAREGIVING_HOME": str(home), "CAREGIVING_BASE_URL": f"http://127.0.0.1:{port}",
           **(extra_env or {})}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "caregiving_course.cli.main", "serve", "--port", str(port),
                             "--no-scheduler"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            requests.get(base + "/", timeout=1)
            break
        except requests.RequestException:
            if proc.poll() is not None:
                pytest.fail(proc.stdout.read())
            time.sleep(0.25)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with start_server(tmp_path_factory.mktemp("serve")) as base:
        yield base


def csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def test_home_shows_the_course_from_a_real_wsgi_server(server):
    page = requests.get(server + "/", timeout=10)
    assert page.status_code == 200
    assert page.headers["Server"] == "caregiving"  # waitress, not Django's development server
    assert "Professional Practice in Caregiving" in page.text and "Certificate of Training" in page.text


def test_sign_up_then_sign_in(server):
    s = requests.Session()
    token = csrf(s, server + "/accounts/signup/")
    bad = s.post(server + "/accounts/signup/", data={"csrfmiddlewaretoken": token, "name": "Ria",
                                                     "email": "ria@example.org", "password": "123"}, timeout=10)
    assert bad.status_code == 400 and "at least 8" in bad.text.replace("&nbsp;", " ")
    ok = s.post(server + "/accounts/signup/", data={"csrfmiddlewaretoken": token, "name": "Ria",
                                                    "email": "ria@example.org", "password": "a-long-passphrase"},
                timeout=10, allow_redirects=False)
    assert ok.status_code == 302 and ok.headers["Location"] == "/accounts/login/?next=/course/"
    other = requests.Session()
    token = csrf(other, server + "/accounts/login/")
    wrong = other.post(server + "/accounts/login/", data={"csrfmiddlewaretoken": token, "username": "ria@example.org",
                                                          "password": "nope"}, timeout=10)
    assert "do not match" in wrong.text
    token = csrf(other, server + "/accounts/login/")
    right = other.post(server + "/accounts/login/", data={"csrfmiddlewaretoken": token, "username": "ria@example.org",
                                                          "password": "a-long-passphrase"}, timeout=10,
                       allow_redirects=False)
    assert right.status_code == 302


def test_forged_post_without_csrf_is_refused(server):
    r = requests.post(server + "/accounts/signup/", data={"name": "x", "email": "x@example.org",
                                                          "password": "a-long-passphrase"}, timeout=10)
    assert r.status_code == 403


def test_french_pages(server):
    page = requests.get(server + "/", headers={"Accept-Language": "fr"}, timeout=10)
    assert 'lang="fr"' in page.text and "Passer au contenu principal" in page.text


REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def sign_up(base: str, email: str) -> requests.Session:
    """A new account through the sign-up page, then signed in (sign-up itself signs nobody in)."""
    s = requests.Session()
    token = csrf(s, base + "/accounts/signup/")
    s.post(base + "/accounts/signup/", data={"csrfmiddlewaretoken": token, "name": "Shared", "email": email,
                                             "password": "a-long-passphrase"}, timeout=10)
    token = csrf(s, base + "/accounts/login/")
    s.post(base + "/accounts/login/", data={"csrfmiddlewaretoken": token, "username": email,
                                            "password": "a-long-passphrase"}, timeout=10)
    return s


def test_a_session_ended_by_another_process_ends_with_a_shared_cache(tmp_path):
    """Two processes on one database share the session cache (CAREGIVING_CACHE_URL): a session deleted by one
    (here the command line, as `clearsessions` or an administrator would) no longer signs in at the other."""
    from tests.conftest import require

    require(_redis_up(), "Redis on 127.0.0.1:6379")
    env = {"CAREGIVING_CACHE_URL": REDIS_URL}
    with start_server(tmp_path, env) as base:
        browser = sign_up(base, "shared@example.org")
        assert requests.get(base + "/course/ping?user=1", cookies=browser.cookies, timeout=10).json()["signed_in"]
        key = browser.cookies["sessionid"]
        script = ("import django; django.setup()\n"
                  "from django.contrib.sessions.backends.cached_db import SessionStore\n"
                  f"SessionStore({key!r}).delete()\n")
        subprocess.run([sys.executable, "-c", script], check=True, timeout=60, env={
            **os.environ, **env, "CAREGIVING_HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "caregiving_course.settings"})
        assert not requests.get(base + "/course/ping?user=1", cookies=browser.cookies, timeout=10).json()["signed_in"]


def test_a_password_changed_by_another_process_signs_out_at_once_with_a_shared_cache(tmp_path):
    """The signed-in user's row is cached beside the sessions: a password changed in another process through
    the ORM drops it from the shared cache, so the old session ends on the next request, not a minute later."""
    from tests.conftest import require

    require(_redis_up(), "Redis on 127.0.0.1:6379")
    env = {"CAREGIVING_CACHE_URL": REDIS_URL}
    with start_server(tmp_path, env) as base:
        browser = sign_up(base, "rotated@example.org")
        for _ in range(2):  # the second answer comes from the cached row
            assert requests.get(base + "/course/ping?user=1", cookies=browser.cookies, timeout=10).json()["signed_in"]
        script = ("import django; django.setup()\n"
                  "from django.contrib.auth import get_user_model\n"
                  "user = get_user_model().objects.get(username='rotated@example.org')\n"
                  "user.set_password('another-long-passphrase')\n"
                  "user.save()\n")
        subprocess.run([sys.executable, "-c", script], check=True, timeout=60, env={
            **os.environ, **env, "CAREGIVING_HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "caregiving_course.settings"})
        assert not requests.get(base + "/course/ping?user=1", cookies=browser.cookies, timeout=10).json()["signed_in"]


def test_serve_on_another_port_links_to_that_port_without_a_base_url(tmp_path):
    port = free_port()
    assert port != 8000
    env = {**os.environ, "CAREGIVING_HOME": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("CAREGIVING_BASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "caregiving_course.cli.main", "serve", "--port", str(port),
                             "--no-scheduler"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        said = []
        for line in proc.stdout:
            said.append(line)
            if line.startswith("Serving on"):
                break
        assert f"Public URL: http://127.0.0.1:{port} (from --port" in "".join(said), said
        for _ in range(120):
            try:
                page = requests.get(f"http://127.0.0.1:{port}/badges/issuer", timeout=10).text
                break
            except requests.ConnectionError:
                time.sleep(0.25)
        assert f"http://127.0.0.1:{port}/badges/issuer" in page and ":8000" not in page
    finally:
        proc.terminate()
        proc.wait(timeout=10)
