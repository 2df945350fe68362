"""The instructor dashboard for a cohort of 10,000 learners (8 module completions each), over real HTTP.

Figure: time to first byte of ``GET /course/dashboard/`` (an instructor's page: the first sorted page of the
table, the sync panel; the chart of a cohort this size follows in its own request; the page keeps the sort
the instructor chose last, and the run sorts by credited hours first, the heaviest order) served by waitress as
``caregiving serve`` does, against the ceiling: one hand-written aggregate SQL query computing the whole
table (modules done, credited hours, time on task, last activity per learner) on the same database in the
same run. Target: within 2x. Also shown: the table handler sorted by credited hours toward the last (most
stacked) credential, the heaviest sort, the
chart request, and, for comparison, the unpaginated path (every learner's progress computed in Python by
``api.cohort_rows``) that the paginated table replaced. Prints the server's peak resident memory.
Run on SQLite and on PostgreSQL (skipped with a note when PostgreSQL is not reachable).
"""
from __future__ import annotations

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import catalogue_fixture
from bench.common import (
    fresh_database,
    peak_rss_mb,
    postgres_database,
    process_peak_rss_mb,
    serve_product,
    served,
    setup_django,
)

ROOT = Path(__file__).resolve().parent.parent
LEARNERS = int(os.environ.get("BENCH_DASHBOARD_LEARNERS", "10000"))
REPEAT = int(os.environ.get("BENCH_DASHBOARD_REPEAT", "15"))
CSRF = "0123456789abcdef0123456789abcdef"


def _content_dir() -> str:
    """The built-in course when it loads with 8 modules; otherwise the tests' 8-module course."""
    import caregiving_course
    from caregiving_course.framework import ContentError, load_course

    built_in = Path(caregiving_course.__file__).resolve().parent / "content"  # (settings are not loaded yet)
    try:
        if len(load_course(built_in).modules) >= 8:
            return str(built_in)
    except ContentError:
        pass
    from tests.xblocks_dashboard.fixture_course import write_course

    return str(write_course(Path(tempfile.mkdtemp(prefix="bench-content-"))))


def _seed() -> tuple[str, object]:
    """Migrate, seed the cohort and its instructor; return the instructor's session cookie and the cohort.

    At catalogue scale (``BENCH_CATALOGUE=1``) the learners are spread over every offering and the instructor
    teaches them all; the page is the largest offering's."""
    from django.conf import settings
    from django.test import Client

    from caregiving_course.framework import catalogue
    from caregiving_course.learner_record import api
    from tests.xblocks_dashboard.fixture_course import seed_cohort

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    teacher = api.add_user("teacher@example.org", "instructor", cohort="bench", password="bench-password-1")
    if catalogue_fixture.enabled():
        seeded = catalogue_fixture.populate(catalogue(), LEARNERS, instructor=teacher)
        cohort = api.ensure_cohort(seeded.largest)
        teacher.taught_cohorts.set([cohort])  # the page opens on it
    else:
        modules = [m.id for m in catalogue().modules]
        cohort = seed_cohort("bench", LEARNERS, instructor=teacher, modules=modules)
    client = Client()
    client.force_login(teacher)
    return client.cookies[settings.SESSION_COOKIE_NAME].value, cohort


def _ceiling_sql(cohort_id: int) -> list[tuple]:
    """The whole table in one hand-written aggregate query (what the page could at best be built from)."""
    from django.db import connection

    from caregiving_course.learner_record.models import Enrolment, Learner, ModuleActivity, ModuleCompletion

    sql = f"""
        SELECT l.id, l.name, l.email, COALESCE(c.n, 0), COALESCE(c.h, 0), COALESCE(a.s, 0), a.last
        FROM {Learner._meta.db_table} l
        JOIN {Enrolment._meta.db_table} e ON e.learner_id = l.id AND e.cohort_id = %s
        LEFT JOIN (SELECT learner_id, COUNT(*) AS n, SUM(credited_hours) AS h
                   FROM {ModuleCompletion._meta.db_table} GROUP BY learner_id) c ON c.learner_id = l.id
        LEFT JOIN (SELECT learner_id, SUM(seconds) AS s, MAX(last_activity_at) AS last
                   FROM {ModuleActivity._meta.db_table} GROUP BY learner_id) a ON a.learner_id = l.id
        ORDER BY l.name"""  # noqa: S608 - table names come from the models; the one value is bound
    with connection.cursor() as cursor:
        cursor.execute(sql, [cohort_id])
        return cursor.fetchall()


def _ttfb(port: int, method: str, path: str, session: str, body: bytes | None = None) -> tuple[float, bytes]:
    """Seconds from sending the request to the first byte of the answer, and the whole answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": f"sessionid={session}; csrftoken={CSRF}", "X-CSRFToken": CSRF}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.connect()
    start = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()  # returns once the status line and headers arrived
    first = time.perf_counter() - start
    data = response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{method} {path} answered {response.status}: {data[:200]!r}")
    return first, data


def _timed(fn, repeat: int = REPEAT) -> tuple[float, float]:
    """Median and best of ``repeat`` runs of ``fn`` (which returns its own duration or is timed here)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(result if isinstance(result, float) else time.perf_counter() - start)
    return statistics.median(times), min(times)


def run(kind: str) -> None:
    from caregiving_course.framework import catalogue
    from caregiving_course.learner_record import api

    session, cohort = _seed()
    teacher = cohort.instructors.get()
    rows = _ceiling_sql(cohort.pk)
    size = len(rows)
    assert size == LEARNERS or catalogue_fixture.enabled()
    with served("bench.bench_dashboard", dict(os.environ, CAREGIVING_LOG_LEVEL="ERROR")) as (port, server):
        _, page = _ttfb(port, "GET", "/course/dashboard/", session)  # warm up
        text = page.decode()
        assert f"of {size}" in text, "the dashboard did not show the cohort"
        prefix = re.search(r"data-handler-prefix='([^']+)'", text).group(1)
        table_path = prefix.replace("/HANDLER/", "/table/")
        chart_path = prefix.replace("/HANDLER/", "/chart/") + f"?cohort={cohort.name}"
        deepest = api.cohort_page(cohort, viewer=teacher, page_size=1).rows[0].progress.credentials[-1].credential
        sort_body = json.dumps({"cohort": cohort.name, "sort": f"hours:{deepest.id}", "descending": True}).encode()
        _ttfb(port, "POST", table_path, session, sort_body)
        _ttfb(port, "GET", chart_path, session)

        page_med, page_best = _timed(lambda: _ttfb(port, "GET", "/course/dashboard/", session)[0])
        sql_med, sql_best = _timed(lambda: _ceiling_sql(cohort.pk))
        _, table_best = _timed(lambda: _ttfb(port, "POST", table_path, session, sort_body)[0])
        _, chart_best = _timed(lambda: _ttfb(port, "GET", chart_path, session)[0], repeat=5)
        _, rows_best = _timed(lambda: api.cohort_rows(cohort, viewer=teacher), repeat=3)
        server_peak = process_peak_rss_mb(server.pid)
    # Headline ratios use the best of each series (the run least disturbed by other work on the machine,
    # as bench.common.best_of does); medians are shown beside them.
    if catalogue_fixture.enabled():
        course = catalogue()
        kind = (f"{kind}, catalogue scale: {len(course.courses)} courses, {len(course.credentials)} credentials, "
                f"{LEARNERS} learners, the largest offering's {size}")
    print(f"dashboard [{kind}]: {page_best / sql_best:.2f}x raw aggregate SQL "
          f"(page TTFB best {page_best * 1000:.1f} ms, median {page_med * 1000:.1f} ms; "
          f"SQL best {sql_best * 1000:.1f} ms, median {sql_med * 1000:.1f} ms; "
          f"{size} learners, 50 rows per page; target <= 2x)", flush=True)
    print(f"  table sorted by credited hours [{kind}]: {table_best / sql_best:.2f}x the SQL ceiling "
          f"(best {table_best * 1000:.1f} ms); chart request: {chart_best / sql_best:.2f}x "
          f"(best {chart_best * 1000:.1f} ms)", flush=True)
    print(f"  unpaginated, for comparison [{kind}]: api.cohort_rows for the whole cohort in Python "
          f"{rows_best / sql_best:.1f}x the SQL ceiling (best {rows_best * 1000:.0f} ms, before any HTML)", flush=True)
    print(f"  peak RSS [{kind}]: server {server_peak:.0f} MB, benchmark process (seeding) {peak_rss_mb():.0f} MB",
          flush=True)


def main() -> int:
    if sys.argv[1:2] == ["--serve"]:
        return serve_product(int(sys.argv[2]))
    if sys.argv[1:2] == ["--kind"]:  # one database per process: Django is set up once per process
        kind = sys.argv[2]
        if kind == "sqlite":
            url = fresh_database("sqlite", "dashboard")
        else:
            url = postgres_database("caregiving_bench_dashboard", "dashboard")
        if url is None:
            return 0
        os.environ["CAREGIVING_HOME"] = tempfile.mkdtemp(prefix="bench-home-")
        if catalogue_fixture.enabled():
            catalogue_fixture.install(Path(os.environ["CAREGIVING_HOME"]))
        os.environ["CAREGIVING_CONTENT"] = _content_dir()
        setup_django(url)
        run(kind)
        return 0
    code = 0
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for kind in sys.argv[1:] or ("sqlite", "postgres"):
        code |= subprocess.call([sys.executable, "-m", "bench.bench_dashboard", "--kind", kind], cwd=ROOT, env=env)
    return code


if __name__ == "__main__":
    sys.exit(main())
