"""Heartbeats per second through the real path, against the same server answering a trivial JSON endpoint.

The real path: HTTP into the server of ``caregiving serve`` (``caregiving_course.server.http_server``:
waitress, 8 threads) serving ``caregiving_course.wsgi.application`` -> Django's request handling -> the
beat's short path (``caregiving_course.server.beat_path``; a beat that passes every check is answered by
``caregiving_course.server.accepted_beat``: the session's user, the block's signed token, the CSRF check, every
middleware's response hooks) -> the module block's ``heartbeat`` handler, which our server answers without
building the block (``xblocks.heartbeat``) -> ``learner_record.record_heartbeat`` -> the database (the beats of
several threads written together). The ceiling: the same
server process answering ``GET /course/ping`` (a trivial JSON view) with the same clients, in the same
run. For information it also measures ``/course/ping?user=1``, which only loads the signed-in user, to
show the share of a beat's cost that is session authentication; beats from a hidden tab, which go the
whole way through the handler but are not credited (everything but the learner record); and the
server process's CPU time per request for the ping and the beat (their ratio depends less on what else
the machine is doing), and the CPU the local PostgreSQL and the clients spend per request (they share the
machine's cores with the server). Each of
``BENCH_LEARNERS`` signed-in learners sends beats from its own tab over a keep-alive connection, from
``BENCH_CLIENTS`` client processes, for ``BENCH_SECONDS`` seconds per measurement. The ping and the beat
are measured in ``BENCH_ROUNDS`` alternating rounds and the ratio printed is the median of the rounds'
ratios (with their range): on a shared machine the load drifts, and one long measurement of each would
give whichever ran in a quieter moment the advantage.
Run on SQLite and on PostgreSQL (skipped with a note when PostgreSQL is not reachable). Target: heartbeats
at least 0.7x the ceiling (issue 20). Also prints the server's peak resident memory.
"""
from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, fields
from pathlib import Path

from bench import catalogue_fixture
from bench.common import (
    fresh_database,
    local_postgres_cpu_seconds,
    postgres_database,
    process_cpu_seconds,
    process_peak_rss_mb,
    serve_product,
    served,
)

ROOT = Path(__file__).resolve().parent.parent
LEARNERS = int(os.environ.get("BENCH_LEARNERS", "16"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "2"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "9"))
THREADS = int(os.environ.get("BENCH_SERVER_THREADS", "8"))  # `caregiving serve` runs 8
MODULE = "caregiver-role"
CATALOGUE_LEARNERS = int(os.environ.get("BENCH_CATALOGUE_LEARNERS", "10000"))  # with BENCH_CATALOGUE=1


def _env(database_url: str, home: str) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url, CAREGIVING_HOME=home,
               DJANGO_SETTINGS_MODULE="caregiving_course.settings", CAREGIVING_LOG_LEVEL="ERROR")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def prepare() -> int:
    """(Subprocess) migrate, create the learners and print their session cookies as JSON."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.test import Client

    from caregiving_course.cli.database import ensure_migrated
    from caregiving_course.learner_record import api

    ensure_migrated()
    if catalogue_fixture.enabled():  # the catalogue's learners, beside the ones sending beats
        from caregiving_course.framework import catalogue

        catalogue_fixture.populate(catalogue(), CATALOGUE_LEARNERS)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cookies = []
    for n in range(LEARNERS):
        user = api.add_user(f"bench{n}@example.org", "learner", cohort="bench", password=make_password(None))
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    print(json.dumps(cookies))
    return 0


def _open_module(port: int, session: str) -> tuple[str, str]:
    """GET the module page as the learner: the block's handler URL and the CSRF token."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", f"/course/module/{MODULE}/", headers={"Cookie": f"sessionid={session}"})
    response = conn.getresponse()
    page = response.read().decode()
    if response.status != 200:
        raise RuntimeError(f"module page answered {response.status}")
    prefix = re.search(r"data-handler-prefix='([^']+)'", page).group(1)
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
    conn.close()
    return prefix.replace("/HANDLER/", "/heartbeat/"), csrf


def _client(port: int, kind: str, learners: list[tuple[str, str, str]], seconds: float, queue) -> None:
    """(Client process) one thread per learner, each a keep-alive connection; counts answered requests."""
    import threading

    counts = []
    deadline = time.perf_counter() + seconds

    def run(index: int, session: str, url: str, csrf: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf,
                   "Content-Type": "application/json"}
        done, seq, tab = 0, int(time.time() * 1000), f"bench-{os.getpid()}-{index}"
        while time.perf_counter() < deadline:
            if kind == "ping":
                conn.request("GET", "/course/ping", headers=headers)
            elif kind == "signed-in ping":
                conn.request("GET", "/course/ping?user=1", headers=headers)
            else:
                seq += 1
                body = json.dumps({"tab": tab, "seq": seq, "visible": kind != "hidden-tab beat", "idle_seconds": 1})
                conn.request("POST", url, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{kind} answered {response.status}")
            done += 1
        counts.append(done)
        conn.close()

    threads = [threading.Thread(target=run, args=(i, *learner)) for i, learner in enumerate(learners)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(sum(counts))


@dataclass(frozen=True)
class Measurement:
    rate: float  # requests per second
    server_cpu: float  # CPU seconds per request: the server process
    database_cpu: float  # the PostgreSQL processes on this machine (SQLite runs inside the server)
    client_cpu: float  # the benchmark's client processes


def _measure(port: int, kind: str, learners: list[tuple[str, str, str]], server_pid: int) -> Measurement:
    """Requests per second, and CPU seconds per request: the server's, the local PostgreSQL's, the clients'."""
    queue = multiprocessing.Queue()
    shares = [learners[i::CLIENTS] for i in range(CLIENTS)]
    procs = [multiprocessing.Process(target=_client, args=(port, kind, share, SECONDS, queue)) for share in shares]
    cpu, database, clients = process_cpu_seconds(server_pid), local_postgres_cpu_seconds(), _children_cpu_seconds()
    start = time.perf_counter()
    for p in procs:
        p.start()
    total = sum(queue.get() for _ in procs)
    for p in procs:
        p.join()
    rate, n = total / (time.perf_counter() - start), max(total, 1)
    return Measurement(rate, (process_cpu_seconds(server_pid) - cpu) / n, (local_postgres_cpu_seconds() - database) / n,
                       (_children_cpu_seconds() - clients) / n)


def _children_cpu_seconds() -> float:
    times = os.times()
    return times.children_user + times.children_system


def run(kind: str) -> None:
    database_url = fresh_database(kind, "caregiving_bench")
    home = tempfile.mkdtemp(prefix="bench-home-")
    if catalogue_fixture.enabled():
        catalogue_fixture.install(Path(home))
        kind = f"{kind}, catalogue scale: 20 more courses, 60 more credentials, {CATALOGUE_LEARNERS} learners"
    env = _env(database_url, home)
    out = subprocess.run([sys.executable, "-m", "bench.bench_heartbeats", "--prepare"], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True).stdout
    sessions = json.loads(out.strip().splitlines()[-1])
    with served("bench.bench_heartbeats", env) as (port, server):
        learners = [(s, *_open_module(port, s)) for s in sessions]
        _measure(port, "ping", learners[:2], server.pid)  # warm up both paths
        _measure(port, "heartbeat", learners[:2], server.pid)
        rounds = [(_measure(port, "ping", learners, server.pid), _measure(port, "heartbeat", learners, server.pid))
                  for _ in range(ROUNDS)]
        signed_in = _measure(port, "signed-in ping", learners, server.pid)
        hidden = _measure(port, "hidden-tab beat", learners, server.pid)
        peak = process_peak_rss_mb(server.pid)
    ratios = sorted(b.rate / p.rate for p, b in rounds)
    ping, beat = (_median_measurement([r[i] for r in rounds]) for i in (0, 1))
    print(f"heartbeats [{kind}]: {statistics.median(ratios):.2f}x trivial JSON endpoint (median of {ROUNDS} "
          f"alternating rounds, {ratios[0]:.2f}-{ratios[-1]:.2f}; heartbeats {beat.rate:.0f}/s, "
          f"ping {ping.rate:.0f}/s; {LEARNERS} learners, {THREADS} server threads; target >= 0.7x); "
          f"server peak RSS {peak:.0f} MB", flush=True)
    print(f"  informational [{kind}]: heartbeats {beat.rate / signed_in.rate:.2f}x a JSON endpoint that only loads "
          f"the signed-in user ({signed_in.rate:.0f}/s); that endpoint is {signed_in.rate / ping.rate:.2f}x the "
          f"trivial one; server CPU per request: ping {ping.server_cpu * 1e6:.0f} us, heartbeat "
          f"{beat.server_cpu * 1e6:.0f} us ({ping.server_cpu / beat.server_cpu:.2f}x, less sensitive to a busy "
          "machine than throughput)", flush=True)
    print(f"  informational [{kind}]: a beat from a hidden tab (the same request and handler, nothing recorded) "
          f"{hidden.rate / ping.rate:.2f}x the trivial endpoint ({hidden.rate:.0f}/s, server CPU "
          f"{hidden.server_cpu * 1e6:.0f} us): recording the beat costs the server "
          f"{(beat.server_cpu - hidden.server_cpu) * 1e6:.0f} us", flush=True)
    print(f"  informational [{kind}]: CPU per request, all on this machine's {os.cpu_count()} cores: ping: server "
          f"{ping.server_cpu * 1e6:.0f} us, clients {ping.client_cpu * 1e6:.0f} us; heartbeat: server "
          f"{beat.server_cpu * 1e6:.0f} us, PostgreSQL {beat.database_cpu * 1e6:.0f} us, clients "
          f"{beat.client_cpu * 1e6:.0f} us", flush=True)


def _median_measurement(measurements: list[Measurement]) -> Measurement:
    """Each figure's median over the rounds."""
    return Measurement(*(statistics.median(getattr(m, f.name) for m in measurements) for f in fields(Measurement)))


def main() -> int:
    if sys.argv[1:2] == ["--prepare"]:
        return prepare()
    if sys.argv[1:2] == ["--serve"]:
        return serve_product(int(sys.argv[2]), THREADS)
    kinds = sys.argv[1:] or ["sqlite", "postgres"]  # or the kinds named
    if "sqlite" in kinds:
        run("sqlite")
    if "postgres" in kinds and postgres_database("caregiving_bench_probe", "heartbeats"):
        run("postgres")
    return 0


if __name__ == "__main__":
    sys.exit(main())
