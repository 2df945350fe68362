"""Shared benchmark plumbing: a fresh database per run, best-of-N timing, ratio lines."""
from __future__ import annotations

import gc
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")


def fresh_database(kind: str, name: str) -> str:
    """Return a DATABASE_URL for an empty database of ``kind`` ("sqlite" or "postgres") called ``name`` (with
    ``BENCH_DB_SUFFIX`` appended: runs sharing one PostgreSQL server each drop and create their own)."""
    name += os.environ.get("BENCH_DB_SUFFIX", "")
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/{name}.sqlite3"
    if kind == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    raise ValueError(f"unknown database kind {kind!r}")


def setup_django(database_url: str) -> None:
    """Point Django at ``database_url`` (in a fresh home folder) and migrate it."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("CAREGIVING_HOME", tempfile.mkdtemp(prefix="bench-home-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "caregiving_course.settings"
    import django

    django.setup()
    from caregiving_course.cli.database import ensure_migrated

    ensure_migrated()


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes, with the garbage collector run before and paused during it.

    As :mod:`timeit` does by default: a full collection walks every object in the process, so one
    landing inside a timed call measures the heap the run happens to have, not the work timed.
    """
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    finally:
        gc.enable()


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Fastest of ``repeat`` timed runs (see :func:`timed`), in seconds: the least disturbed by a noisy machine."""
    return min(timed(fn) for _ in range(repeat))


def best_of_each(ours: Callable[[], float], peer: Callable[[], float], repeat: int = 7) -> tuple[float, float]:
    """The fastest of ``repeat`` runs of each of two measurements, taken in turns (ours, peer, ours, …).

    Each callable runs once and returns the seconds it measured. Taken in turns, a slow spell of this
    shared machine falls on both sides of a ratio instead of on one.
    """
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        times[0].append(ours())
        times[1].append(peer())
    return min(times[0]), min(times[1])


def ratio_line(what: str, ours: float, peer: float, peer_name: str, target: str) -> str:
    """One result line: ours / peer as a ratio (both in seconds), with the target."""
    return (f"{what}: {ours / peer:.2f}x {peer_name} "
            f"(ours {ours * 1000:.1f} ms, peer {peer * 1000:.1f} ms; target {target})")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_product(port: int, threads: int = 8) -> int:
    """(In a ``--serve`` subprocess) the product's WSGI application in the server `caregiving serve` runs."""
    import logging

    from caregiving_course.server import http_server
    from caregiving_course.wsgi import application

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    http_server.serve(application, host="127.0.0.1", port=port, threads=threads, ident="bench")
    return 0


@contextmanager
def served(module: str, env: dict) -> Iterator[tuple[int, subprocess.Popen]]:
    """``python -m MODULE --serve PORT`` on a free port: its port and process once it accepts
    connections; stopped when the block ends."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", module, "--serve", str(port)], cwd=ROOT, env=env)
    try:
        wait_for_server(port, server)
        yield port, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_for_server(port: int, server: subprocess.Popen, *, seconds: float = 60) -> None:
    """Wait until ``server`` accepts connections on ``port``; fail if it exits or takes too long."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the server did not start")


def process_peak_rss_mb(pid: int) -> float:
    """Peak resident memory of another process (Linux ``VmHWM``), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time a running process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def local_postgres_cpu_seconds() -> float:
    """CPU time the PostgreSQL processes running on this machine have used so far (0 when there are none)."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (proc / "comm").read_text().strip() == "postgres":
                total += process_cpu_seconds(int(proc.name))
        except OSError:  # the process ended meanwhile
            continue
    return total


def postgres_database(name: str, label: str) -> str | None:
    """A fresh PostgreSQL database URL, or None after printing why ``label`` skips PostgreSQL."""
    try:
        return fresh_database("postgres", name)
    except Exception as error:  # any failure means: not available on this machine
        print(f"{label} [postgres]: skipped, PostgreSQL not reachable ({str(error).splitlines()[0]})")
        return None


def calls_per_second(fn, seconds: float = 0.4, minimum: int = 20) -> tuple[float, int]:
    """Calls per second of ``fn`` over about ``seconds`` (at least ``minimum`` calls), and how many were made."""
    count, start = 0, time.perf_counter()
    while True:
        fn()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and count >= minimum:
            return count / elapsed, count
