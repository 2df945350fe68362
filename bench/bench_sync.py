"""Badge sync throughput: 10,000 awards pushed to the local Badgr-compatible fake platform.

Peer: a bare keep-alive ``requests.Session`` loop posting the same assertion bodies to the same
server in the same run (the ceiling for one sequential client). Figures:

- one worker (claim, look up the award, POST, record the answer) / bare loop, on SQLite and on
  PostgreSQL (target at least 0.7);
- two worker processes / one worker, on PostgreSQL (target at least 1.6x).

The fake platform runs in its own process, one thread per connection, and every request waits
``BENCH_SYNC_LATENCY`` seconds (default 0.005: a stand-in for the network and the platform's
own work, and what lets two clients overlap on a two-core machine). ``BENCH_SYNC_AWARDS`` sets
the count (default 10,000).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

from bench.common import PG_ADMIN_URL, fresh_database

ROOT = Path(__file__).resolve().parents[1]
AWARDS = int(os.environ.get("BENCH_SYNC_AWARDS", "10000"))
LATENCY = float(os.environ.get("BENCH_SYNC_LATENCY", "0.005"))


def start_platform() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.badge_platform", "--latency", str(LATENCY)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip()


def bare_loop(url: str) -> float:
    """Seconds for one keep-alive session to post AWARDS assertion bodies like the worker's."""
    from tests.fakes import badge_platform as fake

    http = requests.Session()
    token = http.post(f"{url}/o/token", data={"grant_type": "password", "username": fake.USERNAME,
                                              "password": fake.PASSWORD, "client_id": fake.CLIENT_ID,
                                              "scope": "rw:issuer"}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    bodies = [{"recipient": {"identity": f"bare{i}@example.org", "type": "email", "hashed": True},
               "issuedOn": "2026-11-28T10:00:00+00:00", "notify": True, "allowDuplicateAwards": False,
               "narrative": f"Earned Professional Practice in Caregiving badge with 12.00 credited hours "
                            f"(award {uuid.uuid4()})."} for i in range(AWARDS)]
    start = time.perf_counter()
    for body in bodies:
        resp = http.post(f"{url}/v2/badgeclasses/BC-badge/assertions", json=body, headers=headers, timeout=20)
        assert resp.status_code == 201, resp.text
    return time.perf_counter() - start


def _env(database_url: str, home: str) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "CAREGIVING_HOME": home,
            "DJANGO_SETTINGS_MODULE": "caregiving_course.settings", "CAREGIVING_LOG_LEVEL": "ERROR"}


def run_workers(kind: str, count: int, url: str) -> float:
    """Seconds for ``count`` worker processes to deliver AWARDS awards (from a common start signal)."""
    import tempfile

    name = f"bench_sync_{uuid.uuid4().hex[:8]}"
    database_url = fresh_database(kind, name)
    env = _env(database_url, tempfile.mkdtemp(prefix="bench-sync-"))
    subprocess.run([sys.executable, "-m", "tests.sync.seed", "--url", url, "--awards", str(AWARDS)],
                   cwd=ROOT, env=env, check=True)
    procs = [subprocess.Popen([sys.executable, "-m", "bench.bench_sync", "--worker"], cwd=ROOT, env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(count)]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [json.loads(p.communicate(timeout=3600)[0].strip().splitlines()[-1]) for p in procs]
    delivered = sum(r["delivered"] for r in results)
    assert delivered == AWARDS, results
    if kind == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return max(r["seconds"] for r in results)


def worker_process() -> int:
    """One bench worker: set up, say ready, wait for go, drain the outbox, print what it did."""
    import django

    django.setup()
    from sync.worker import Worker, worker_name

    worker = Worker(worker_name("bench"), kinds=["badge.issue"])
    print("ready", flush=True)
    sys.stdin.readline()
    start = time.perf_counter()
    summary = worker.drain()
    print(json.dumps({"delivered": summary.delivered, "failed": summary.failed,
                      "seconds": time.perf_counter() - start}), flush=True)
    return 0


def held(url: str) -> int:
    return len(requests.get(f"{url}/_fake/state", timeout=60).json()["assertions"])


def reset(url: str) -> None:
    requests.post(f"{url}/_fake/reset", timeout=10)


def _postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), connect_timeout=3):
            return True
    except Exception:
        return False


def main() -> int:
    server, url = start_platform()
    try:
        print(f"badge sync: {AWARDS} awards to the fake Badgr platform ({LATENCY * 1000:g} ms per request, "
              f"threaded, own process); {os.cpu_count()} cores")
        bare = bare_loop(url)
        print(f"bare keep-alive requests.Session loop: {AWARDS / bare:.0f} awards/s")
        reset(url)
        lines = []
        one_sqlite = run_workers("sqlite", 1, url)
        assert held(url) == AWARDS
        reset(url)
        lines.append(f"one worker on SQLite / bare loop: {bare / one_sqlite:.2f} "
                     f"({AWARDS / one_sqlite:.0f} vs {AWARDS / bare:.0f} awards/s; target >= 0.7)")
        if _postgres_available():
            one_pg = run_workers("postgres", 1, url)
            assert held(url) == AWARDS
            reset(url)
            two_pg = run_workers("postgres", 2, url)
            assert held(url) == AWARDS
            lines.append(f"one worker on PostgreSQL / bare loop: {bare / one_pg:.2f} "
                         f"({AWARDS / one_pg:.0f} vs {AWARDS / bare:.0f} awards/s; target >= 0.7)")
            lines.append(f"two workers / one worker on PostgreSQL: {one_pg / two_pg:.2f}x "
                         f"({AWARDS / two_pg:.0f} vs {AWARDS / one_pg:.0f} awards/s; target >= 1.6x)")
        else:
            lines.append(f"PostgreSQL at {PG_ADMIN_URL} not reachable: worker scaling not measured")
        for line in lines:
            print(line)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker"]:
        sys.exit(worker_process())
    sys.exit(main())
