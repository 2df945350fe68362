"""Time on task from heartbeats, by the policy of DESIGN.md ("Hours: honest and explainable").

The server credits time by its own clock. A beat credits the time since the learner's previous
beat (any tab, any device, any module), but only when that gap is at most
``HEARTBEAT_MAX_CREDIT_SECONDS``: a longer gap was not observed as active and credits nothing.
The page counts its own visible, active seconds since its previous beat and sends them (``claim``): a beat
credits the least of the server's gap, the cap and the claim, so time a page spent hidden between two beats
is not credited. A visit's first beat (no beat of the learner within the cap before it) credits nothing at
once: its claim, capped, is kept with its tab and credited by that tab's next beat, which proves the
learner stayed (no other tab can have credited those seconds: no beat came within the cap before it).
Because the clock is per learner, two tabs open at once accrue wall time once. Each tab numbers
its beats; a beat whose number is not above the last seen from that tab is a replay and is ignored.
Time is credited in whole seconds and the clock keeps the fraction, so beats closer together than
a second neither lose nor invent time.

Every open module page beats every few seconds, so this is the busiest write in the product, and
it is written as hand-built statements rather than ORM queries (building those cost more than
running them). :func:`_decide` applies the policy to the learner's clock; two writers record its
decision:

- the locked path (every database): one transaction that locks the clock row, adds the module's
  time, extends or opens the active span and saves the clock;
- the usual beat (clock and module row exist, the open span continues) is written only if the clock
  is still exactly as this process last wrote or read it (all three of its columns are compared in
  the ``WHERE``), so it needs no read: on PostgreSQL one statement, elsewhere one transaction of
  three updates. On SQLite that transaction also writes the beats other threads are writing at the
  same moment, and on PostgreSQL that statement writes them all, one row of its JSON array per beat
  (:mod:`group_commit`). The clock this process last saw is kept in memory for that; it
  is only ever a guess that the database checks, so a clock changed by another process or thread,
  or a guess that was rolled back, costs a beat the locked path and never a wrong credit. On
  PostgreSQL a learner whose clock this process has not seen costs one plain read first.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from caregiving_course.framework import Course, catalogue
from caregiving_course.learner_record.errors import RecordError
from caregiving_course.learner_record.group_commit import write_grouped
from caregiving_course.learner_record.models import ActiveSpan, ActivityClock, Learner, ModuleActivity

MAX_TABS = 16
MAX_TAB_ID = 64

_JSON = ActivityClock._meta.get_field("tabs")
# The statements of a beat. Table names come from the models; every value is bound.
_CLOCK, _ACTIVITY, _SPAN = (m._meta.db_table for m in (ActivityClock, ModuleActivity, ActiveSpan))
READ_CLOCK = f"SELECT last_beat_at, tabs, spans FROM {_CLOCK} WHERE learner_id = %s"  # noqa: S608
SAVE_CLOCK = f"UPDATE {_CLOCK} SET tabs = %s, spans = %s, last_beat_at = %s WHERE learner_id = %s"  # noqa: S608
SAVE_CLOCK_IF_UNCHANGED = SAVE_CLOCK + " AND tabs = %s AND spans = %s AND last_beat_at = %s"
ADD_MODULE_TIME = (f"UPDATE {_ACTIVITY} SET seconds = seconds + %s, "  # noqa: S608
                   "first_activity_at = COALESCE(first_activity_at, %s), last_activity_at = %s "
                   "WHERE learner_id = %s AND module_id = %s")
READ_MODULE_TIME = f"SELECT seconds FROM {_ACTIVITY} WHERE learner_id = %s AND module_id = %s"  # noqa: S608
RETURNS_FROM_UPDATE = {"sqlite", "postgresql"}  # UPDATE … RETURNING; MariaDB reads the total back instead
EXTEND_SPAN = f"UPDATE {_SPAN} SET ended_at = %s, seconds = seconds + %s, beats = beats + 1 WHERE id = %s"  # noqa: S608
# PostgreSQL, the usual beats of one thread or of several written together: each beat's three updates, written only
# where its learner's clock is unchanged, in one statement. The beats come as one JSON array (one row each, see
# _beat_row): one parameter, serialised at C speed, where arrays of each column cost more to send than the statement.
BEATS_IF_UNCHANGED = f"""
WITH beat AS (SELECT (e->>0)::bigint AS learner_id, e->1 AS tabs, e->2 AS spans, (e->>3)::timestamptz AS last_beat_at,
                     e->4 AS was_tabs, e->5 AS was_spans, (e->>6)::timestamptz AS was_last, (e->>7)::integer AS credit,
                     (e->>8)::timestamptz AS at, e->>9 AS module_id, (e->>10)::bigint AS span_id
              FROM jsonb_array_elements(%s::jsonb) AS e),
     clock AS (UPDATE {_CLOCK} c SET tabs = b.tabs, spans = b.spans, last_beat_at = b.last_beat_at FROM beat b
               WHERE c.learner_id = b.learner_id AND c.tabs = b.was_tabs AND c.spans = b.was_spans
                     AND c.last_beat_at = b.was_last RETURNING c.learner_id),
     activity AS (UPDATE {_ACTIVITY} a SET seconds = a.seconds + b.credit,
                         first_activity_at = COALESCE(a.first_activity_at, b.at), last_activity_at = b.at
                  FROM beat b JOIN clock k ON k.learner_id = b.learner_id
                  WHERE a.learner_id = b.learner_id AND a.module_id = b.module_id RETURNING a.learner_id, a.seconds),
     span AS (UPDATE {_SPAN} s SET ended_at = b.at, seconds = s.seconds + b.credit, beats = s.beats + 1
              FROM beat b JOIN clock k ON k.learner_id = b.learner_id WHERE s.id = b.span_id)
SELECT learner_id, seconds FROM activity"""  # noqa: S608 (PostgreSQL only)
# SQLite, the usual beat (written with other threads' beats, see _write_sqlite_beats): the module's time only if the
# clock is unchanged, then the clock and the span; in the driver's placeholders (caregiving_course.sqlite).
SQLITE_ADD_MODULE_TIME_IF_UNCHANGED, SQLITE_SAVE_CLOCK, SQLITE_EXTEND_SPAN = (sql.replace("%s", "?") for sql in (
    ADD_MODULE_TIME + f" AND EXISTS (SELECT 1 FROM {_CLOCK} WHERE learner_id = %s AND tabs = %s AND spans = %s "  # noqa: S608
                      "AND last_beat_at = %s) RETURNING seconds",
    SAVE_CLOCK, EXTEND_SPAN))
KNOWN_CLOCKS = 50_000  # learners whose clock this process remembers (about 1 KB each)


@dataclass(frozen=True)
class BeatResult:
    credited_seconds: int
    module_seconds: int
    ignored: str = ""  # why nothing was credited: "replay", "gap", "first", "clock"


class _Clock(NamedTuple):  # a tuple: built on every beat
    last_beat_at: dt.datetime | None
    tabs: dict
    spans: dict  # module id -> [open ActiveSpan id, its end (ISO)], so a beat extends it without a lookup
    stored: tuple | None  # (tabs, spans, last_beat_at) as the database stores them, to compare in a WHERE (not on
    # PostgreSQL, whose usual beat sends the clock as JSON: see _clock_columns)


class _Raced(Exception):
    """The clock was not as remembered: undo the transaction and take the locked path."""


_known: dict[tuple[str, int], _Clock] = {}  # (database alias, learner id) -> the clock last written or read


def forget_clocks() -> None:
    """Drop every remembered clock (tests that rebuild the database between them)."""
    _known.clear()


def _remember(db, learner_id: int, clock: _Clock | None) -> None:
    key = (db.alias, learner_id)
    if clock is None:
        _known.pop(key, None)
        return
    if len(_known) >= KNOWN_CLOCKS:
        try:  # the oldest entry; another thread may have changed the dict meanwhile
            _known.pop(next(iter(_known)), None)
        except (RuntimeError, StopIteration):
            pass
    _known[key] = clock


def _new_clock(db, last_beat_at, tabs: dict, spans: dict) -> _Clock:
    if db.vendor == "postgresql":
        return _Clock(last_beat_at, tabs, spans, None)
    # JSONField's own serialisation (json.dumps, no encoder), as Django's adapt_json_value writes it
    return _Clock(last_beat_at, tabs, spans, (json.dumps(tabs), json.dumps(spans), _db_datetime(db, last_beat_at)))


def _clock_columns(db, clock: _Clock) -> tuple:
    """The clock's three columns as parameters of :data:`SAVE_CLOCK`."""
    if clock.stored is not None:
        return clock.stored
    return db.ops.adapt_json_value(clock.tabs, None), db.ops.adapt_json_value(clock.spans, None), clock.last_beat_at


def _db_datetime(db, value: dt.datetime | None):
    """``value`` as ``db`` stores a DateTimeField: on SQLite, an aware time written as Django's
    ``adapt_datetimefield_value`` writes it (the text of the naive time in the connection's zone), without its
    per-call settings lookups; elsewhere Django's own."""
    if db.vendor == "sqlite" and value is not None and value.utcoffset() is not None and settings.USE_TZ:
        return str(value.astimezone(db.timezone).replace(tzinfo=None))
    return db.ops.adapt_datetimefield_value(value)


class _Decision(NamedTuple):
    """What one beat does to the learner's clock, module time and active span."""

    replay: bool
    credit: int = 0
    reason: str = ""
    clock_at: dt.datetime | None = None  # the time credited up to
    tabs: dict | None = None
    span_id: int | None = None  # the open span this beat extends; None opens a new one


def record_heartbeat(learner: Learner, module_id: str, tab_id: str, seq: int, *,
                     now: dt.datetime | None = None, course: Course | None = None,
                     claim: int | None = None) -> BeatResult:
    """Credit active time for one heartbeat from the page of ``module_id`` open in tab ``tab_id``.

    ``claim`` is the page's own count of visible, active whole seconds since its previous beat (None: the
    page does not count, and the server's gap alone limits the credit; a first beat then keeps nothing).
    ``learner`` needs only its ``pk`` here; a learner that does not exist is refused with RecordError.
    """
    if not isinstance(module_id, str) or not (course or catalogue()).has_module(module_id):
        raise RecordError(f"unknown module {module_id!r}")
    if not isinstance(tab_id, str) or not 0 < len(tab_id) <= MAX_TAB_ID:
        raise RecordError("tab must be an id of 1 to 64 characters")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < 2**53:
        raise RecordError("seq must be a non-negative whole number")
    if claim is not None and (isinstance(claim, bool) or not isinstance(claim, int) or not 0 <= claim < 2**31):
        raise RecordError("active_seconds must be a non-negative whole number")
    now = now or timezone.now()
    db = connections[DEFAULT_DB_ALIAS]
    clock = _known.get((db.alias, learner.pk))
    if clock is None and db.vendor == "postgresql":
        clock = _read_clock(db, learner.pk)
    if clock is not None:
        result = _record_if_unchanged(db, clock, learner.pk, module_id, tab_id, seq, now, claim)
        if result is not None:
            return result
    return _record_locked(db, learner.pk, module_id, tab_id, seq, now, claim)


def _decide(clock: _Clock, module_id: str, tab_id: str, seq: int, now: dt.datetime, claim: int | None) -> _Decision:
    seen = clock.tabs.get(tab_id, -1)  # the tab's last seq, or [last seq, seconds its first beat keeps]
    if type(seen) is list:
        seen, pending = seen
    else:
        pending = 0
    if seq <= seen:
        return _Decision(replay=True)
    most = settings.HEARTBEAT_MAX_CREDIT_SECONDS
    tabs = dict(clock.tabs)
    tabs.pop(tab_id, None)
    tabs[tab_id] = seq  # most recently seen last, so the tabs forgotten first are those idle longest
    gap = (now - clock.last_beat_at).total_seconds() if clock.last_beat_at else None
    if gap is not None and gap < 0:
        credit, reason, clock_at = 0, "clock", clock.last_beat_at
    elif gap is None or gap > most:  # a visit's first beat: keep what the page counted until the next beat
        credit, reason, clock_at = 0, "first" if gap is None else "gap", now
        kept = min(claim, most, int(gap) if gap is not None else most) if claim else 0
        if kept:
            tabs[tab_id] = [seq, kept]
    else:  # whole seconds; the clock keeps the fraction for the next beat, unless the page counted fewer
        credit, reason = int(gap), ""
        clock_at = clock.last_beat_at + dt.timedelta(seconds=credit)
        if claim is not None and claim < credit:
            credit, clock_at = claim, now
        credit += pending
    # A span continues while beats keep coming; beats under a second apart extend it without adding rows.
    open_span = clock.spans.get(module_id)
    recent = open_span and (now - dt.datetime.fromisoformat(open_span[1])).total_seconds() <= most
    return _Decision(False, credit, reason, clock_at, _last(tabs), open_span[0] if recent else None)


def _spans_after(clock: _Clock, module_id: str, span_id: int, now: dt.datetime) -> dict:
    spans = dict(clock.spans)
    spans.pop(module_id, None)
    spans[module_id] = [span_id, now.isoformat()]
    return _last(spans)


def _record_locked(db, learner_id: int, module_id: str, tab_id: str, seq: int, now: dt.datetime,
                   claim: int | None) -> BeatResult:
    """Record a beat in one transaction holding the learner's clock row (any database)."""
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        clock = _locked_clock(db, cursor, learner_id)
        decision = _decide(clock, module_id, tab_id, seq, now, claim)
        if decision.replay:
            result, after = BeatResult(0, _module_seconds(cursor, learner_id, module_id), "replay"), clock
        else:
            at = _db_datetime(db, now)
            seconds = _add_module_time(db, cursor, [decision.credit, at, at, learner_id, module_id])
            if seconds is None:  # the learner's first beat in this module
                ModuleActivity.objects.using(db.alias).get_or_create(learner_id=learner_id, module_id=module_id)
                seconds = _add_module_time(db, cursor, [decision.credit, at, at, learner_id, module_id])
            span_id = decision.span_id
            if span_id is not None:
                cursor.execute(EXTEND_SPAN, [at, decision.credit, span_id])
            else:
                span_id = ActiveSpan.objects.using(db.alias).create(
                    learner_id=learner_id, module_id=module_id, started_at=now, ended_at=now,
                    seconds=decision.credit, beats=1).pk
            after = _new_clock(db, decision.clock_at, decision.tabs, _spans_after(clock, module_id, span_id, now))
            cursor.execute(SAVE_CLOCK, [*_clock_columns(db, after), learner_id])
            result = BeatResult(decision.credit, seconds, decision.reason)
    _remember(db, learner_id, after)
    return result


def _add_module_time(db, cursor, params: list) -> int | None:
    """Add the beat's credit to the module's time on task; the new total, or None when there is no row yet."""
    if db.vendor in RETURNS_FROM_UPDATE:
        cursor.execute(ADD_MODULE_TIME + " RETURNING seconds", params)
        row = cursor.fetchone()
        return row[0] if row else None
    cursor.execute(ADD_MODULE_TIME, params)
    return _module_seconds(cursor, params[3], params[4]) if cursor.rowcount else None


def _record_if_unchanged(db, clock: _Clock, learner_id: int, module_id: str, tab_id: str, seq: int,
                         now: dt.datetime, claim: int | None) -> BeatResult | None:
    """Record the usual beat if the clock is still ``clock``; None when the locked path must do it."""
    decision = _decide(clock, module_id, tab_id, seq, now, claim)
    if decision.replay or decision.span_id is None:  # a replay reads the module's time; a new span is a new row
        return None
    after = _new_clock(db, decision.clock_at, decision.tabs, _spans_after(clock, module_id, decision.span_id, now))
    seconds = _write_usual_beat(db, clock, after, decision, learner_id, module_id, now)
    _remember(db, learner_id, after if seconds is not None else None)
    return BeatResult(decision.credit, seconds, decision.reason) if seconds is not None else None


def _write_usual_beat(db, clock: _Clock, after: _Clock, decision: _Decision, learner_id: int, module_id: str,
                      now: dt.datetime) -> int | None:
    """The usual beat's three updates, undone unless the clock was as remembered; the module's new time, or
    None when the clock had changed.

    PostgreSQL runs them as one statement. SQLite in autocommit, unless queries are being logged, writes the
    beat together with the beats other threads are writing at the same moment (:mod:`group_commit`): SQLite
    admits one writer at a time, and a turn at the write lock for each beat cost more than the beat's
    statements. That needs our engine's connection (``caregiving_course.sqlite``); a host project's stock
    SQLite engine (an Open edX test or development LMS) has none. Otherwise the beat is written in a
    transaction of its own (or the caller's).
    """
    if db.vendor == "postgresql":
        beat = _PostgresBeat(db.alias, learner_id, clock, after, decision, module_id, now)
        if db.in_atomic_block or db.queries_logged:  # the caller's transaction; or every statement shown as run
            _beat_statement(db, [beat])
            return beat.seconds
        return write_grouped((db.alias, "heartbeat"), beat, _write_postgres_beats).seconds
    at = _db_datetime(db, now)
    activity, span = [decision.credit, at, at, learner_id, module_id], [at, decision.credit, decision.span_id]
    if db.vendor == "sqlite" and hasattr(db, "immediate") and not db.in_atomic_block and not db.queries_logged:
        # our engine (caregiving_course.sqlite); a host's stock SQLite engine takes the transaction below
        beat = _SqliteBeat(db.alias, learner_id, [*activity, learner_id, *clock.stored], [*after.stored, learner_id],
                           span)
        return write_grouped((db.alias, "heartbeat"), beat, _write_sqlite_beats).seconds
    try:
        with transaction.atomic(using=db.alias), db.cursor() as cursor:
            return _beat_updates(db, cursor, [*after.stored, learner_id, *clock.stored], activity, span)
    except _Raced:
        return None


class _PostgresBeat:
    """A usual beat on its way to PostgreSQL: the clock it found and the one it writes, its decision; then the
    module's new time (``seconds``; None if the clock had changed)."""

    __slots__ = ("after", "alias", "clock", "decision", "learner_id", "module_id", "now", "seconds")

    def __init__(self, alias: str, learner_id: int, clock: _Clock, after: _Clock, decision: _Decision,
                 module_id: str, now: dt.datetime) -> None:
        self.alias, self.learner_id, self.clock, self.after = alias, learner_id, clock, after
        self.decision, self.module_id, self.now, self.seconds = decision, module_id, now, None


def _write_postgres_beats(beats: list[_PostgresBeat]) -> None:
    """PostgreSQL: the beats of a group in one statement (a learner's second beat in the group takes the locked
    path, as on SQLite)."""
    _beat_statement(connections[beats[0].alias], _first_of_each_learner(beats))


def _first_of_each_learner(beats: list) -> list:
    """The beats of a group written together: each learner's first (its clock is saved once per group; a second
    beat of the same learner, left with ``seconds`` None, takes the locked path)."""
    seen: set[int] = set()
    return [beat for beat in beats if beat.learner_id not in seen and not seen.add(beat.learner_id)]


def _beat_statement(db, beats: list[_PostgresBeat]) -> None:
    """PostgreSQL: the beats' updates in one statement (:data:`BEATS_IF_UNCHANGED`); sets each beat's ``seconds``
    (None where its clock had changed)."""
    cursor = _prepared_cursor(db)
    cursor.execute(BEATS_IF_UNCHANGED, [json.dumps([_beat_row(beat) for beat in beats])])
    written = dict(cursor.fetchall())
    for beat in beats:
        beat.seconds = written.get(beat.learner_id)


def _beat_row(beat: _PostgresBeat) -> list:
    """One beat as a row of :data:`BEATS_IF_UNCHANGED`'s JSON array (times with their offset: read back exactly)."""
    after, was, now = beat.after, beat.clock, beat.now.isoformat()
    was_last = was.last_beat_at.isoformat() if was.last_beat_at else None  # matches no clock: the locked path
    return [beat.learner_id, after.tabs, after.spans, after.last_beat_at.isoformat(), was.tabs, was.spans, was_last,
            beat.decision.credit, now, beat.module_id, beat.decision.span_id]


def _beat_updates(db, cursor, clock_params: list, activity_params: list, span_params: list) -> int:
    """Save the clock if unchanged, add the module's time, extend the span; the module's new time."""
    cursor.execute(SAVE_CLOCK_IF_UNCHANGED, clock_params)
    if cursor.rowcount != 1:
        raise _Raced
    seconds = _add_module_time(db, cursor, activity_params)
    if seconds is None:
        raise _Raced
    cursor.execute(EXTEND_SPAN, span_params)
    return seconds


class _SqliteBeat:
    """A usual beat on its way to SQLite: its statements' parameters (module time if the clock is unchanged,
    clock, span), then the module's new time (``seconds``; None if the clock had changed)."""

    __slots__ = ("alias", "learner_id", "params", "seconds")

    def __init__(self, alias: str, learner_id: int, *params: list) -> None:
        self.alias, self.learner_id, self.params, self.seconds = alias, learner_id, params, None


def _write_sqlite_beats(beats: list[_SqliteBeat]) -> None:
    """SQLite: the beats in one transaction (on the driver's connection, see ``caregiving_course.sqlite``)."""
    connections[beats[0].alias].immediate(functools.partial(_sqlite_beat_updates, beats))


def _sqlite_beat_updates(beats: list[_SqliteBeat], connection) -> None:
    """Each beat's module time, if its learner's clock is still as the beat found it; then the clocks and spans
    of the beats written. Nothing of a beat whose clock changed is written, nor of a learner's second beat in
    the group: its clock is saved only after every module time (both take the locked path)."""
    written = []
    for beat in _first_of_each_learner(beats):
        row = connection.execute(SQLITE_ADD_MODULE_TIME_IF_UNCHANGED, beat.params[0]).fetchone()
        if row is not None:
            beat.seconds = row[0]
            written.append(beat)
    if written:
        connection.executemany(SQLITE_SAVE_CLOCK, [beat.params[1] for beat in written])
        connection.executemany(SQLITE_EXTEND_SPAN, [beat.params[2] for beat in written])


def _read_clock(db, learner_id: int) -> _Clock | None:
    """PostgreSQL: the learner's clock without a lock, or None when there is none yet."""
    cursor = _prepared_cursor(db)
    cursor.execute(READ_CLOCK, [learner_id])
    row = cursor.fetchone()
    return _clock(db, row) if row is not None else None


def _locked_clock(db, cursor, learner_id: int) -> _Clock:
    """The learner's clock row, locked for this transaction (SQLite's write lock already serialises)."""
    sql = READ_CLOCK + (" FOR UPDATE" if db.features.has_select_for_update else "")
    cursor.execute(sql, [learner_id])
    row = cursor.fetchone()
    if row is None:
        if not Learner.objects.using(db.alias).filter(pk=learner_id).exists():
            raise RecordError(f"no learner {learner_id}")
        ActivityClock.objects.using(db.alias).get_or_create(learner_id=learner_id)
        cursor.execute(sql, [learner_id])
        row = cursor.fetchone()
    return _clock(db, row)


def _clock(db, row) -> _Clock:
    last, tabs, spans = row
    convert = getattr(db.ops, "convert_datetimefield_value", None)
    if convert is not None:
        last = convert(last, None, db)
    return _new_clock(db, last, _JSON.from_db_value(tabs, None, db), _JSON.from_db_value(spans, None, db))


def _module_seconds(cursor, learner_id: int, module_id: str) -> int:
    cursor.execute(READ_MODULE_TIME, [learner_id, module_id])
    row = cursor.fetchone()
    return row[0] if row else 0


def _last(mapping: dict) -> dict:
    """The ``MAX_TABS`` most recent entries (insertion order is recency)."""
    return dict(list(mapping.items())[-MAX_TABS:])


def _prepared_cursor(db):
    """PostgreSQL: a cursor whose statements the server prepares once per connection.

    Django's cursors bind parameters on the client, so PostgreSQL parses and plans every statement
    anew; the two statements of a beat are the same every time, and parsing and planning the beat's
    statement cost PostgreSQL more than running it. It prepares only where the connection allows it
    (``prepare_threshold`` in the database's OPTIONS, set in settings unless ``CAREGIVING_PG_PREPARE=0``).
    The cursor is wrapped as Django wraps its own (errors, query log) and kept open for the connection's
    next beat (do not close it); while queries are logged it prepares nothing, since Django's log cannot
    show a prepared statement's SQL.
    """
    db.ensure_connection()
    raw = getattr(db, "_caregiving_beat_cursor", None)  # one per connection: a beat's own costs less than a new one
    if raw is None or raw.closed or raw.connection is not db.connection:
        raw = db._caregiving_beat_cursor = _prepared_cursor_class()(db.connection)
    raw.prepares = not db.queries_logged
    return db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)


@functools.cache
def _prepared_cursor_class():
    import psycopg  # only installed where PostgreSQL is used

    class PreparedCursor(psycopg.Cursor):
        prepares = True

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=self.prepares, binary=binary)

    return PreparedCursor
