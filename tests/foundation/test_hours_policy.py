"""DESIGN.md's hours policy at the learner-record level (the XBlock tests drive it over HTTP)."""
from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caregiving_course.learner_record import api, group_commit, heartbeats
from caregiving_course.learner_record.models import ActiveSpan, ActivityClock, Learner, ModuleActivity
from tests.concurrency import run_in_threads

pytestmark = pytest.mark.database
T0 = timezone.now()


def beat(learner, module, tab, seq, at):
    return api.record_heartbeat(learner, module, tab, seq, now=T0 + dt.timedelta(seconds=at))


def test_server_clock_credits_observed_time_only(learner, course):
    m = course.modules[0].id
    assert beat(learner, m, "tab", 1, 0).ignored == "first"
    assert beat(learner, m, "tab", 2, 15).credited_seconds == 15
    assert beat(learner, m, "tab", 3, 30).credited_seconds == 15
    gap = beat(learner, m, "tab", 4, 300)  # connection lost for 4.5 minutes
    assert gap.credited_seconds == 0 and gap.ignored == "gap"
    assert beat(learner, m, "tab", 5, 315).credited_seconds == 15
    assert ModuleActivity.objects.get(learner=learner, module_id=m).seconds == 45  # nothing lost, gap not credited
    assert ActiveSpan.objects.filter(learner=learner).count() == 2


def test_two_tabs_accrue_once(learner, course):
    a, b = course.modules[0].id, course.modules[1].id
    beat(learner, a, "tab-a", 1, 0)
    for i in range(1, 9):
        beat(learner, a, "tab-a", i + 1, i * 15)
        beat(learner, b, "tab-b", i, i * 15 + 1)  # second tab beats one second later
    total = sum(ModuleActivity.objects.filter(learner=learner).values_list("seconds", flat=True))
    assert total == 8 * 15 + 1  # wall time, not twice


def test_replayed_and_out_of_order_beats_are_ignored(learner, course):
    m = course.modules[0].id
    beat(learner, m, "tab", 5, 0)
    assert beat(learner, m, "tab", 6, 10).credited_seconds == 10
    assert beat(learner, m, "tab", 6, 20).ignored == "replay"
    assert beat(learner, m, "tab", 3, 25).ignored == "replay"
    assert ModuleActivity.objects.get(learner=learner, module_id=m).seconds == 10


def test_clock_going_backwards_credits_nothing(learner, course):
    m = course.modules[0].id
    beat(learner, m, "tab", 1, 100)
    assert beat(learner, m, "tab", 2, 50).ignored == "clock"
    assert beat(learner, m, "tab", 3, 110).credited_seconds == 10


def test_one_beat_is_capped(learner, course, settings):
    m = course.modules[0].id
    beat(learner, m, "tab", 1, 0)
    assert beat(learner, m, "tab", 2, settings.HEARTBEAT_MAX_CREDIT_SECONDS).credited_seconds == \
        settings.HEARTBEAT_MAX_CREDIT_SECONDS
    assert beat(learner, m, "tab", 3, 2 * settings.HEARTBEAT_MAX_CREDIT_SECONDS + 1).credited_seconds == 0


def test_beats_under_a_second_apart_credit_elapsed_time_not_more(learner, course):
    m = course.modules[0].id
    beat(learner, m, "tab", 1, 0)
    credited = sum(beat(learner, m, "tab", i + 2, (i + 1) * 0.6).credited_seconds for i in range(10))
    assert credited == 6  # 6.0 s elapsed; rounding each 0.6 s beat up would have credited 10
    assert ModuleActivity.objects.get(learner=learner, module_id=m).seconds == 6
    span = ActiveSpan.objects.get(learner=learner)  # rapid beats extend one span instead of adding rows
    assert (span.seconds, span.beats) == (6, 11)


def test_a_steady_beat_is_a_few_statements(learner, course):
    m = course.modules[0].id
    beat(learner, m, "tab", 1, 0)
    beat(learner, m, "tab", 2, 15)
    with CaptureQueriesContext(connection) as queries:
        assert beat(learner, m, "tab", 3, 30).credited_seconds == 15
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    # The clock is as this process last wrote it, so nothing is read. PostgreSQL: one conditional statement;
    # elsewhere one transaction: save the clock if unchanged, add the module's time (MariaDB reads it back),
    # extend the span.
    assert len(writes) == {"postgresql": 1, "sqlite": 3}.get(connection.vendor, 4), writes
    assert ModuleActivity.objects.get(learner=learner, module_id=m).seconds == 30


def _beat_statement_runs(db) -> list[int]:
    """How many times each prepared copy of the beat's statement ran on this connection (PostgreSQL)."""
    with db.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return [runs for sql, runs in cursor.fetchall() if "clock AS (UPDATE" in sql]


@pytest.mark.postgres_only
def test_postgresql_prepares_the_beat_once_per_connection(learner, course):
    """Django turns psycopg's preparing off; without preparing, PostgreSQL parsed and planned every beat anew
    (twice the database's CPU of running it)."""
    m = course.modules[0].id
    for seq in range(1, 9):
        beat(learner, m, "tab", seq, seq * 10)
    runs = _beat_statement_runs(connection)
    assert len(runs) == 1 and runs[0] >= 6, runs


@pytest.mark.postgres_only
def test_preparing_can_be_turned_off_for_a_transaction_mode_pooler(learner, course):
    other = connection.copy()  # a connection that has prepared nothing yet, as CAREGIVING_PG_PREPARE=0 makes it
    other.settings_dict = {**other.settings_dict,
                           "OPTIONS": {**other.settings_dict.get("OPTIONS", {}), "prepare_threshold": None}}
    try:
        with heartbeats._prepared_cursor(other) as cursor:
            cursor.execute(heartbeats.READ_CLOCK, [learner.pk])
        with other.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] == 0
    finally:
        other.close()


def _steady_beats_then_a_clock_changed_elsewhere(learner, module):
    """Three beats (the clock is now remembered), then another process moves the clock on: a later tab
    number and a later last beat. What the next beats credit must follow the database, not the memory."""
    beat(learner, module, "tab", 1, 0)
    beat(learner, module, "tab", 2, 10)
    assert beat(learner, module, "tab", 3, 20).credited_seconds == 10
    ActivityClock.objects.filter(learner=learner).update(
        tabs={"tab": 9}, last_beat_at=T0 + dt.timedelta(seconds=26))
    assert beat(learner, module, "tab", 4, 30).ignored == "replay"  # 4 <= 9, as the database says
    assert beat(learner, module, "tab", 10, 30).credited_seconds == 4  # from 26 s, not from 20 s
    assert beat(learner, module, "tab", 11, 40).credited_seconds == 10  # remembered again, and right
    assert ModuleActivity.objects.get(learner=learner, module_id=module).seconds == 34
    span = ActiveSpan.objects.get(learner=learner)
    assert (span.seconds, span.beats) == (34, 5)


def test_a_clock_changed_behind_this_process_is_checked_not_trusted(learner, course):
    _steady_beats_then_a_clock_changed_elsewhere(learner, course.modules[0].id)


@pytest.mark.django_db(transaction=True)
def test_a_clock_changed_behind_this_process_outside_a_transaction(learner, course):
    """The same in autocommit, as the server runs: on SQLite the driver-level transaction."""
    _steady_beats_then_a_clock_changed_elsewhere(learner, course.modules[0].id)
    assert connection.get_autocommit() and not connection.in_atomic_block


def test_a_remembered_clock_that_was_rolled_back_costs_nothing(learner, course):
    m = course.modules[0].id
    beat(learner, m, "tab", 1, 0)
    beat(learner, m, "tab", 2, 10)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert beat(learner, m, "tab", 3, 20).credited_seconds == 10  # remembered, then undone
        1 / 0  # noqa: B018
    assert beat(learner, m, "tab", 3, 20).credited_seconds == 10  # not a replay: the database never saw 3
    assert ModuleActivity.objects.get(learner=learner, module_id=m).seconds == 20


def test_a_beat_for_a_learner_who_no_longer_exists_is_refused(db, course):
    ghost = Learner.objects.create(name="gone")
    ghost_id = ghost.pk
    ghost.delete()
    with pytest.raises(api.RecordError, match="no learner"):
        api.record_heartbeat(api.learner_by_id(ghost_id), course.modules[0].id, "tab", 1)
    assert not ActivityClock.objects.exists() and not ModuleActivity.objects.exists()


@pytest.mark.parametrize("writer", [pytest.param("_write_sqlite_beats", marks=pytest.mark.sqlite_only),
                                    pytest.param("_write_postgres_beats", marks=pytest.mark.postgres_only)])
@pytest.mark.django_db(transaction=True)
def test_beats_written_together_follow_the_policy_each(make_user, course, monkeypatch, writer):
    """A group of beats from several threads written at once (learner_record.group_commit: one transaction on SQLite,
    one statement on PostgreSQL): a learner's two tabs in one group credit wall time once, and a clock changed behind
    this process is read, not trusted."""
    x, a, b = (api.learner_for_user(make_user(f"{name}@example.org")) for name in "xab")
    m = course.modules[0].id
    for learner in (x, a, b):
        beat(learner, m, "tab-a", 1, 0)
        beat(learner, m, "tab-a", 2, 10)  # remembered now, its span open: the next beats go in a group
    ActivityClock.objects.filter(learner=b).update(last_beat_at=T0 + dt.timedelta(seconds=15))  # another process
    key, groups, release, results = (connection.alias, "heartbeat"), [], threading.Event(), {}
    write_beats = getattr(heartbeats, writer)

    def held(beats):
        groups.append(sorted(b.learner_id for b in beats))
        if len(groups) == 1:
            assert release.wait(10)
        write_beats(beats)

    monkeypatch.setattr(heartbeats, writer, held)

    def send(name, learner, tab, seq, at):
        try:
            results[name] = beat(learner, m, tab, seq, at)
        finally:
            connections.close_all()

    first = threading.Thread(target=send, args=("x", x, "tab-a", 3, 20))
    first.start()
    deadline = time.monotonic() + 10
    while not groups:
        assert time.monotonic() < deadline
        time.sleep(0.001)
    others = [threading.Thread(target=send, args=args) for args in
              [("a1", a, "tab-a", 3, 20), ("a2", a, "tab-b", 1, 20.5), ("b", b, "tab-a", 3, 20)]]
    for thread in others:
        thread.start()
    while len(group_commit._groups[key].waiting) < 3:
        assert time.monotonic() < deadline
        time.sleep(0.001)
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    assert groups[:2] == [[x.pk], sorted([a.pk, a.pk, b.pk])]  # the three waiting beats went in one group
    seconds = dict(ModuleActivity.objects.filter(module_id=m).values_list("learner_id", "seconds"))
    assert results["x"].credited_seconds == 10 and seconds[x.pk] == 20
    assert sorted([results["a1"].credited_seconds, results["a2"].credited_seconds]) == [0, 10]
    assert seconds[a.pk] == 20  # two tabs, 10 s of wall time: credited once
    assert results["b"].credited_seconds == 5 and seconds[b.pk] == 15  # from 15 s, as the database says


@pytest.mark.concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_two_tabs_beating_at_once_credit_wall_time_once(learner, course):
    """Concurrent beats of one learner (two tabs, two server threads) neither double-count nor lose time."""
    m = course.modules[0].id
    api.record_heartbeat(learner, m, "warm-up", 1, now=T0)
    def tab(name: str, offset: float) -> None:
        for i in range(1, 41):
            api.record_heartbeat(learner, m, name, i, now=T0 + dt.timedelta(seconds=i + offset))

    _, errors = run_in_threads([lambda: tab("tab-a", 0.0), lambda: tab("tab-b", 0.5)])
    assert not errors
    seconds = ModuleActivity.objects.get(learner=learner, module_id=m).seconds
    assert seconds <= 41  # never more than the wall time the beats span
    assert seconds == sum(ActiveSpan.objects.filter(learner=learner).values_list("seconds", flat=True))
    assert ActivityClock.objects.get(learner=learner).tabs == {"warm-up": 1, "tab-a": 40, "tab-b": 40}


@pytest.mark.parametrize(("module", "tab", "seq"), [
    ("no-such-module", "tab", 1), (None, "tab", 1), ("MODULE", "t" * 65, 1), ("MODULE", "", 1),
    ("MODULE", "tab", -1), ("MODULE", "tab", "7"), ("MODULE", "tab", True), ("MODULE", "tab", 2**60),
])
def test_malformed_beats_are_refused_and_change_nothing(learner, course, module, tab, seq):
    module = course.modules[0].id if module == "MODULE" else module
    with pytest.raises(api.RecordError):
        api.record_heartbeat(learner, module, tab, seq)
    assert not ModuleActivity.objects.exists()


def claimed(learner, module, tab, seq, at, claim):
    return api.record_heartbeat(learner, module, tab, seq, now=T0 + dt.timedelta(seconds=at), claim=claim)


def test_a_beat_credits_no_more_than_the_page_counted_visible(learner, course):
    m = course.modules[0].id
    claimed(learner, m, "tab", 1, 0, 0)
    assert claimed(learner, m, "tab", 2, 15, 15).credited_seconds == 15
    hidden = claimed(learner, m, "tab", 3, 30, 4)  # hidden for 11 of the 15 seconds between beats
    assert hidden.credited_seconds == 4
    assert claimed(learner, m, "tab", 4, 45, 60).credited_seconds == 15  # a claim above the server's gap
    assert ModuleActivity.objects.get(learner=learner, module_id=m).seconds == 34


def test_the_first_interval_of_a_visit_is_credited_by_the_next_beat(learner, course):
    m = course.modules[0].id
    first = claimed(learner, m, "tab", 1, 0, 15)  # the page was open 15 s before its first beat
    assert (first.credited_seconds, first.ignored) == (0, "first")
    assert claimed(learner, m, "tab", 2, 15, 15).credited_seconds == 30  # the learner stayed: both intervals
    assert claimed(learner, m, "tab", 3, 30, 15).credited_seconds == 15  # kept once only
    back = claimed(learner, m, "tab", 4, 400, 9)  # back after a break: kept, not credited yet
    assert back.credited_seconds == 0 and back.ignored == "gap"
    assert claimed(learner, m, "tab", 5, 410, 10).credited_seconds == 19
    assert ModuleActivity.objects.get(learner=learner, module_id=m).seconds == 64


def test_a_first_interval_is_lost_when_the_learner_leaves_and_is_capped(learner, course, settings):
    m = course.modules[0].id
    claimed(learner, m, "tab", 1, 0, 10_000)  # more than the cap: keeps the cap at most
    left = claimed(learner, m, "tab", 2, 500, 5)  # no beat within the cap: the first interval is not proven
    assert left.credited_seconds == 0
    assert claimed(learner, m, "tab", 3, 510, 10).credited_seconds == 15  # the 5 kept at 500, and 10
    claimed(learner, m, "other", 1, 1000, 10_000)
    assert claimed(learner, m, "other", 2, 1010, 10).credited_seconds == settings.HEARTBEAT_MAX_CREDIT_SECONDS + 10


def test_a_second_tab_keeps_nothing_while_another_tab_beats(learner, course):
    a, b = course.modules[0].id, course.modules[1].id
    claimed(learner, a, "tab-a", 1, 0, 0)
    claimed(learner, a, "tab-a", 2, 10, 10)
    assert claimed(learner, b, "tab-b", 1, 12, 20).credited_seconds == 2  # the wall time since tab a's beat
    assert claimed(learner, b, "tab-b", 2, 20, 8).credited_seconds == 8
    total = sum(ModuleActivity.objects.filter(learner=learner).values_list("seconds", flat=True))
    assert total == 20


@pytest.mark.parametrize("claim", [-1, 1.5, True, "3", 2**31])
def test_a_malformed_claim_is_refused(learner, course, claim):
    with pytest.raises(api.RecordError):
        claimed(learner, course.modules[0].id, "tab", 1, 0, claim)
