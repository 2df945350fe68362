"""Issue 21: every URL pattern `caregiving serve` mounts (enumerated from the URL resolver) is driven with
malformed methods, bodies, content types, encodings and sizes, anonymously and as a signed-in administrator
(with a valid CSRF token, so the views themselves read the input), against the real server: no answer is a 5xx."""
from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import uuid

import pytest
import requests
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.foundation.test_server import csrf, free_port

pytestmark = pytest.mark.slow
PASSWORD = "caregiving-demo"
UUID = str(uuid.UUID(int=1, version=4))
BY_NAME = {"award_id": UUID, "ext": "png", "credential_id": "caregiving-badge", "number": "1", "object_id": "999999",
           "content_type_id": "1", "module_id": "caregiver-role", "handler_name": "table", "token": "x",
           "name": "blocks/module.js", "suffix": "x/y", "id": "1"}
GROUP = re.compile(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)")
ROUTE = re.compile(r"<(?:(\w+):)?(\w+)>")


def _sample_regex(regex: str) -> str:
    def group(match: re.Match) -> str:
        name, body = match.group(1), match.group(2)
        if "|" in body and "[" not in body:
            return body.split("|")[0]
        return BY_NAME.get(name, "1" if "\\d" in body else "x")

    text = GROUP.sub(group, regex).lstrip("^").rstrip("$").replace("\\Z", "")
    return re.sub(r"\\(.)", r"\1", text)


def _sample(pattern) -> str:
    text = str(pattern.pattern)
    if hasattr(pattern.pattern, "_route"):
        return ROUTE.sub(lambda m: BY_NAME.get(m.group(2), "1" if m.group(1) == "int" else "x"), text)
    return _sample_regex(text)


def served_paths() -> list[str]:
    """One concrete path for every URL pattern of the server's URLconf, except the workbench it never mounts."""
    paths = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            here = prefix + _sample(entry)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, here)
            elif isinstance(entry, URLPattern):
                paths.append("/" + here)

    walk(get_resolver().url_patterns, "")
    return sorted(p for p in set(paths) if not p.startswith("/workbench/"))


def test_every_enumerated_pattern_has_a_path_that_resolves_to_it():
    paths = served_paths()
    assert len(paths) > 60 and "/badges/verify.json" in paths and "/course/xblock/x/table/" in paths
    for path in paths:
        resolve(path)  # raises Resolver404 if the sample does not reach its own pattern


def _variants(token: str) -> list[tuple[str, dict, bytes]]:
    json_type = {"Content-Type": "application/json"}
    return [
        ("GET", {}, b""),
        ("GET", {"Accept": "application/ld+json;q=x", "Accept-Language": "zz-\u00ff;q=2"}, b""),
        ("HEAD", {}, b""),
        ("OPTIONS", {}, b""),
        ("BREW", {}, b"coffee"),
        ("PUT", json_type, b"{}"),
        ("DELETE", {}, b""),
        ("PATCH", json_type, b'{"a":'),
        ("POST", json_type, b'{"a": [' * 5000),
        ("POST", json_type, b'{"a": NaN, "b": 1e999, "c": "\\ud800"}'),
        ("POST", json_type, b"\xff\xfe\x00\x00garbage"),
        ("POST", {"Content-Type": "application/json; charset=utf-16"}, b"\xd8\x00\x00\x00"),
        ("POST", {"Content-Type": "application/x-www-form-urlencoded"}, b"a=%zz&b=%ff%fe&c=\x00&" + b"d=1&" * 3000),
        ("POST", {"Content-Type": "application/x-www-form-urlencoded; charset=bogus"}, b"a=1"),
        ("POST", {"Content-Type": "multipart/form-data"}, b"--no-boundary"),
        ("POST", {"Content-Type": "multipart/form-data; boundary=b"},
         b'--b\r\nContent-Disposition: form-data; name="image"; filename="\x00.png"\r\nContent-Type: image/png'
         b"\r\n\r\n\x89PNG\r\n\x1a\nbroken\r\n--b"),
        ("POST", {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0diTXt"),
        ("POST", {"Content-Type": "text/xml"}, b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'),
        ("POST", {"Content-Type": "application/json", "Content-Encoding": "gzip"}, b"not gzip"),
        ("POST", {"Content-Type": "application/json", "Content-Length": "999999999"}, b"{}"),
        ("POST", json_type, b"x" * (4 * 1024 * 1024)),  # over the server's cap
    ] + ([("POST", {**json_type, "X-LTI-Session": "forged"}, b"{}")] if token else [])


def _drive(session: requests.Session, base: str, paths: list[str], token: str, headers: dict) -> list[str]:
    failures = []
    for path in paths:
        for method, extra, body in _variants(token):
            query = "?id=%00&next=//evil.example&q=%ff&o=zz&p=-1&cohort=%0d%0a&e=1&sort=%3Cx%3E"
            url = base + path + (query if method == "GET" else "")
            for attempt in range(2):  # once more on a fresh connection if the kept-alive one was closed
                try:
                    answer = session.request(method, url, data=body, headers={**headers, **extra}, timeout=30,
                                             allow_redirects=False)
                    break
                except requests.Timeout:
                    answer = None
                    failures.append(f"{method} {path} {extra}: no answer in 30 s")
                    break
                except requests.ConnectionError as exc:
                    answer = None
                    if attempt or len(body) > 3 * 1024 * 1024:  # an over-size body may be cut off: not a 5xx
                        failures += [] if len(body) > 3 * 1024 * 1024 else [f"{method} {path}: {exc}"]
                        break
            if len(body) > 3 * 1024 * 1024:
                session.close()  # waitress answers 413 without reading the rest: that connection is spent
            if answer is not None and answer.status_code >= 500:
                failures.append(f"{method} {path} {extra.get('Content-Type', '')} -> {answer.status_code}")
    return failures


@contextlib.contextmanager
def demo_server(home):
    """`caregiving serve` on the demo data, its log written to a file (a pipe nobody reads would fill and stall it)."""
    port = free_port()
    env = {**os.environ, "CAREGIVING_HOME": str(home), "CAREGIVING_BASE_URL": f"http://127.0.0.1:{port}",
           "CAREGIVING_SIGNIN_FAILURES": "100000"}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "caregiving_course.cli.main"]
    subprocess.run([*command, "demo"], env=env, check=True, capture_output=True, timeout=600)
    with open(home / "server.log", "w") as log:
        proc = subprocess.Popen([*command, "serve", "--port", str(port), "--no-scheduler"], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):
                try:
                    requests.get(base + "/", timeout=1)
                    break
                except requests.RequestException:
                    assert proc.poll() is None, (home / "server.log").read_text()
                    time.sleep(0.25)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def test_hostile_input_on_every_url_gets_no_5xx(tmp_path):
    paths = served_paths()
    with demo_server(tmp_path) as base:
        failures = _drive(requests.Session(), base, paths, "", {})
        admin = requests.Session()
        token = csrf(admin, base + "/accounts/login/")
        admin.post(base + "/accounts/login/", data={"csrfmiddlewaretoken": token, "username": "admin@example.org",
                                                    "password": PASSWORD}, timeout=10)
        page = admin.get(base + "/course/dashboard/", timeout=30).text
        handler_token = re.search(r"data-handler-prefix='/course/xblock/([^/]+)/", page).group(1)
        signed_in = [p.replace("/xblock/x/", f"/xblock/{handler_token}/") for p in paths if "logout" not in p]
        headers = {"X-CSRFToken": admin.cookies["csrftoken"], "Referer": base + "/"}
        failures += _drive(admin, base, signed_in, handler_token, headers)
        assert admin.get(base + "/course/ping?user=1", timeout=10).json()["signed_in"]  # stayed signed in
    assert not failures, "\n".join(failures)
