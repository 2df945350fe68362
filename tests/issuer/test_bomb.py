"""Issue 21: a decompression bomb sent to the public verifier of a real `caregiving serve` is refused, and the
server's memory (its peak resident set, /proc/PID/status VmHWM) stays under 300 MB throughout; bodies over the
server's cap are refused before the application reads them."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import zlib

import pytest
import requests

from sync.issuer.baking import PNG_SIGNATURE, _chunk

pytestmark = pytest.mark.slow
LIMIT_MB = 300
INFLATED = 1024 * 1024 * 1024  # 1 GiB of spaces in the iTXt chunk (the report used 2,000 MiB)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        line = next(x for x in status if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def _bomb_png(inflated: int = INFLATED) -> bytes:
    """A valid PNG whose compressed ``openbadges`` iTXt chunk inflates to ``inflated`` bytes."""
    deflater, block, parts = zlib.compressobj(9), b" " * (16 * 1024 * 1024), []
    for _ in range(inflated // len(block)):
        parts.append(deflater.compress(block))
    parts.append(deflater.flush())
    text = b"".join(parts)
    ihdr = _chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0]))
    itxt = _chunk(b"iTXt", b"openbadges\x00\x01\x00\x00\x00" + text)
    return PNG_SIGNATURE + ihdr + itxt + _chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    env = {**os.environ, "CAREGIVING_HOME": str(tmp_path_factory.mktemp("bomb")),
           "CAREGIVING_BASE_URL": f"http://127.0.0.1:{port}"}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "caregiving_course.cli.main", "serve", "--port", str(port),
                             "--no-scheduler"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            requests.get(base + "/badges/verify", timeout=1)
            break
        except requests.RequestException:
            assert proc.poll() is None, "caregiving serve exited"
            time.sleep(0.25)
    yield base, proc.pid
    proc.terminate()
    proc.wait(timeout=15)


def test_a_png_bomb_is_refused_and_memory_stays_under_300_mb(server):
    base, pid = server
    bomb = _bomb_png()
    assert len(bomb) < 2 * 1024 * 1024
    before = _peak_mb(pid)
    as_upload = requests.post(base + "/badges/verify.json", files={"image": ("badge.png", bomb, "image/png")},
                              timeout=120)
    assert as_upload.status_code == 400 and as_upload.json()["status"] == "malformed"
    assert "more than" in as_upload.json()["reasons"][0]
    raw = _bomb_png(224 * 1024 * 1024)  # a raw body under the 256 KB input limit, inflating to 224 MiB
    assert len(raw) < 256 * 1024
    assert requests.post(base + "/badges/verify.json", data=raw, headers={"Content-Type": "image/png"},
                         timeout=120).status_code == 400
    peak = _peak_mb(pid)
    print(f"\nserver peak resident memory: {before:.0f} MB before, {peak:.0f} MB after the bomb")
    assert peak < LIMIT_MB, f"the server reached {peak:.0f} MB"


def test_an_svg_entity_bomb_is_refused(server):
    base, pid = server
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    svg = (f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY l0 "lol">{laughs}]>'
           '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
           '<openbadges:assertion verify="x">&l9;</openbadges:assertion></svg>').encode()
    answer = requests.post(base + "/badges/verify.json", files={"image": ("b.svg", svg, "image/svg+xml")}, timeout=60)
    assert answer.status_code == 400 and _peak_mb(pid) < LIMIT_MB


@pytest.mark.parametrize("path", ["/badges/verify.json", "/accounts/login/", "/lti/launch",
                                  "/course/xblock/x/heartbeat/"])
def test_bodies_over_the_cap_are_refused_before_they_are_read(server, path):
    base, pid = server
    answer = requests.post(base + path, data=b"x" * (4 * 1024 * 1024), headers={"Content-Type": "application/json"},
                           timeout=60)
    assert answer.status_code == 413
    chunked = requests.post(base + path, data=iter([b"x" * (1024 * 1024)] * 5),
                            headers={"Content-Type": "application/json"}, timeout=60)
    assert chunked.status_code == 413 and _peak_mb(pid) < LIMIT_MB


def test_inflate_stops_at_its_limit():
    from sync.issuer.inflate import GZIP, TooLarge, inflate

    data = zlib.compress(b" " * 100_000)
    assert inflate(data, 100_000) == b" " * 100_000
    for broken in (data[:-5], b"not zlib"):
        with pytest.raises(TooLarge):
            inflate(broken, 100_000)
    with pytest.raises(TooLarge, match="more than 99999"):
        inflate(data, 99_999)
    import gzip

    with pytest.raises(TooLarge):
        inflate(gzip.compress(bytes(20_000)), 16_384, wbits=GZIP)


def test_unbaking_a_bomb_raises_a_baking_error():
    from sync.issuer.baking import BakingError, unbake_png

    with pytest.raises(BakingError, match="more than"):
        unbake_png(_bomb_png(64 * 1024 * 1024))
