"""xAPI statements through the outbox to a real LRS (Ralph, filesystem backend, on 127.0.0.1), fetched back
through GET /xAPI/statements and validated with Ralph's xAPI models; faults lose or double nothing."""
from __future__ import annotations

import io
import time
from collections import Counter

import pytest

from caregiving_course.cli.main import main
from tests.fakes.fault_proxy import FaultProxy
from tests.records import ralph as ralph_lrs


@pytest.fixture
def ralph(tmp_path):
    server = ralph_lrs.Ralph(tmp_path / "ralph").start()
    yield server
    server.stop()


@pytest.fixture
def viewed(full_record):
    """``full_record`` with two sections of its completed module viewed."""
    from caregiving_course.learner_record.models import ModuleActivity

    ModuleActivity.objects.filter(module_id="caregiver-role").update(sections_viewed=[0, 1])
    return full_record


def _add(monkeypatch, name: str, endpoint: str, *extra: str, password: str = ralph_lrs.PASSWORD) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(["lrs", "add", name, "--endpoint", endpoint, "--username", ralph_lrs.USER, "--password", "-", *extra])


def _drain(timeout: float = 60.0) -> None:
    """Deliver until nothing is pending (retries included), with short back-offs."""
    from caregiving_course.learner_record.models import OutboxEntry
    from sync.delivery import RetryPolicy
    from sync.worker import Worker

    worker = Worker(policy=RetryPolicy(base_seconds=0.05, cap_seconds=0.5, max_attempts=50), kinds=["xapi.statement"])
    deadline = time.monotonic() + timeout
    while OutboxEntry.objects.filter(kind="xapi.statement", status=OutboxEntry.PENDING).exists():
        assert time.monotonic() < deadline, "statements still pending"
        worker.drain()
        time.sleep(0.05)


def _queued_ids() -> list[str]:
    from caregiving_course.learner_record.models import OutboxEntry

    return [e.payload["statement"]["id"] for e in OutboxEntry.objects.filter(kind="xapi.statement")]


def test_statements_reach_ralph_once_and_validate(viewed, ralph, monkeypatch, settings, capsys):
    from caregiving_course.learner_record.models import OutboxEntry

    assert _add(monkeypatch, "partner", f"{ralph.url}/xAPI") == 0
    assert main(["lrs", "test", "partner"]) == 0
    assert main(["lrs", "replay", "--since", "2026-11-01"]) == 0
    assert "statements queued" in capsys.readouterr().out
    queued = _queued_ids()
    assert main(["lrs", "replay", "--since", "2026-11-01"]) == 0  # once each: nothing new
    assert _queued_ids() == queued and len(set(queued)) == len(queued)
    _drain()
    bad = OutboxEntry.objects.filter(kind="xapi.statement").exclude(status=OutboxEntry.DONE)
    assert not bad.exists(), [(e.payload["statement"]["verb"], e.last_error) for e in bad]
    held = ralph.statements()
    assert sorted(s["id"] for s in held) == sorted(queued)
    assert ralph_lrs.validation_errors(held) == []
    verbs = Counter(s["verb"]["id"].rsplit("/", 1)[1] for s in held)
    assert verbs == {"launched": 2, "experienced": 2, "passed": 1, "failed": 1, "completed": 1, "attended": 1,
                     "mastered": 2, "satisfied": 2, "voided": 2}, verbs
    by_verb = {s["verb"]["id"].rsplit("/", 1)[1]: s for s in held}
    assert by_verb["completed"]["result"]["duration"] == "PT1H35M20S"
    assert by_verb["passed"]["result"]["score"]["scaled"] == 0.9 and by_verb["failed"]["result"]["success"] is False
    assert by_verb["attended"]["result"]["duration"] == "PT4H"
    assert by_verb["launched"]["context"]["platform"] == "our site"
    base = settings.BASE_URL.rstrip("/")
    assert all(s["object"]["id"].startswith(base) for s in held if s["object"].get("objectType") == "Activity")
    voided_targets = {s["object"]["id"] for s in held if s["verb"]["id"].endswith("/voided")}
    assert voided_targets <= {s["id"] for s in held}  # the revoked certificate and the withdrawn sign-off
    assert all("@" not in str(s["actor"]) for s in held)


@pytest.mark.database
def test_faults_lose_or_double_nothing(viewed, ralph, monkeypatch):
    proxy = FaultProxy(ralph.url).start()
    try:
        assert _add(monkeypatch, "partner", f"{proxy.url}/xAPI") == 0
        assert main(["lrs", "replay", "--since", "2026-11-01"]) == 0
        proxy.fail("PUT", "/xAPI/statements", "500", times=3)
        proxy.fail("PUT", "/xAPI/statements", "drop_after_commit", times=3)
        proxy.fail("PUT", "/xAPI/statements", "429", times=2, retry_after="1")
        proxy.down(2.0)  # "down for a minute", shortened
        _drain()
        assert proxy.stats["PUT down"] >= 1 and all(f.times == 0 for f in proxy.faults)  # every fault was met
    finally:
        proxy.stop()
    held = ralph.statements()
    ids = [s["id"] for s in held]
    assert Counter(ids).most_common(1)[0][1] == 1  # nothing doubled
    assert sorted(ids) == sorted(_queued_ids())  # nothing lost


@pytest.mark.database
def test_new_records_are_fed_from_when_the_lrs_was_added(viewed, ralph, monkeypatch):
    """Records made before the LRS was added wait for a replay; records after it are queued by the feed."""
    import datetime as dt

    from caregiving_course.learner_record.models import ModuleCompletion
    from sync.xapi.feed import queue_new

    assert _add(monkeypatch, "partner", f"{ralph.url}/xAPI") == 0
    assert queue_new() == 0  # the full record is older than the LRS
    _, learner, _ = viewed
    ModuleCompletion.objects.create(learner=learner, module_id="daily-living-support", score=1.0, credited_hours=2,
                                    time_on_task_seconds=3600, completed_at=dt.datetime.now(dt.UTC))
    assert queue_new() == 1 and queue_new() == 0
    _drain()
    [statement] = ralph.statements()
    assert statement["verb"]["id"].endswith("/completed") and statement["result"]["duration"] == "PT1H"


@pytest.mark.database
def test_a_partner_lrs_gets_only_its_cohort(viewed, ralph, monkeypatch, make_user):
    from caregiving_course.learner_record import api
    from caregiving_course.learner_record.models import ModuleActivity
    from tests.records.conftest import AT

    other = api.learner_for_user(make_user("other@example.org", cohort="spring-2027"))
    ModuleActivity.objects.create(learner=other, module_id="caregiver-role", first_activity_at=AT, last_activity_at=AT)
    assert _add(monkeypatch, "spring-partner", f"{ralph.url}/xAPI", "--cohort", "spring-2027") == 0
    assert main(["lrs", "replay", "--since", "2026-11-01"]) == 0
    _drain()
    assert {s["actor"]["account"]["name"] for s in ralph.statements()} == {f"learner-{other.pk}"}


def test_lrs_commands_refuse_mistakes_and_hide_the_password(db, ralph, monkeypatch, capsys):
    from django.db import connection

    assert main(["lrs", "add", "x", "--endpoint", f"{ralph.url}/xAPI", "--username", "u", "--password", "pw"]) == 2
    assert _add(monkeypatch, "x", "http://lrs.example/xAPI") == 2  # plain HTTP off this machine
    assert _add(monkeypatch, "x", f"{ralph.url}/xAPI", "--cohort", "no-such-cohort") == 2
    assert _add(monkeypatch, "bad", f"{ralph.url}/xAPI", password="wrong-password") == 0
    assert main(["lrs", "test", "bad"]) == 1
    assert _add(monkeypatch, "bad", f"{ralph.url}/xAPI") == 2  # the name is taken
    assert main(["lrs", "list"]) == 0
    assert main(["lrs", "remove", "nope"]) == 2
    out = capsys.readouterr()
    assert "refused the credentials" in out.err and "********" in out.out and "Traceback" not in out.err
    assert "wrong-password" not in out.out + out.err
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM xapi_lrsendpoint")
        [(stored,)] = cursor.fetchall()
    assert stored.startswith("sealed:v1:") and "wrong-password" not in stored
    assert main(["lrs", "remove", "bad"]) == 0


def test_each_knowledge_check_answer_is_queued_with_its_own_score(db, make_user, monkeypatch, ralph):
    """Queued in the answer's transaction: the record keeps only the best score, the statements keep each one."""
    from caregiving_course.learner_record import api
    from caregiving_course.learner_record.models import OutboxEntry
    from sync.xapi.feed import queue_new

    assert _add(monkeypatch, "partner", f"{ralph.url}/xAPI") == 0
    learner = api.learner_for_user(make_user("quiz.taker@example.org", cohort="fall-2026"))
    api.record_knowledge_check(learner, "caregiver-role", 0.5)
    api.record_knowledge_check(learner, "caregiver-role", 0.9)
    api.record_knowledge_check(learner, "caregiver-role", 0.7)
    answers = [e.payload["statement"] for e in OutboxEntry.objects.filter(kind="xapi.statement").order_by("pk")]
    assert [(s["verb"]["display"]["en-US"], s["result"]["score"]["raw"]) for s in answers] == [
        ("failed", 50.0), ("passed", 90.0), ("failed", 70.0)]
    queue_new()  # the feed builds the same ids for these attempts: nothing doubled
    ids = [e.payload["statement"]["id"] for e in OutboxEntry.objects.filter(kind="xapi.statement")]
    assert len(ids) == len(set(ids)) and {s["id"] for s in answers} <= set(ids)
    _drain()
    assert ralph_lrs.validation_errors(ralph.statements()) == []


def test_each_record_is_queued_when_it_is_written_with_its_launch_channel(viewed, ralph, monkeypatch):
    """No award evaluation runs here: every statement reaches the outbox with its record's transaction, and the
    feed's later pass (the safety net) queues none of them again."""
    from django.contrib.auth import get_user_model

    from caregiving_course.learner_record import api
    from caregiving_course.learner_record.models import OutboxEntry
    from sync.xapi.feed import queue_new

    assert _add(monkeypatch, "partner", f"{ralph.url}/xAPI") == 0
    _, learner, awards = viewed
    instructor = get_user_model().objects.get(email="instructor@example.org")  # full_record's
    assert api.record_launch(learner, "person-centred-communication", "lti") == "lti"
    assert api.record_launch(learner, "person-centred-communication", "local") == "lti"  # the first launch is kept
    api.record_section_viewed(learner, "person-centred-communication", 0)
    api.record_section_viewed(learner, "person-centred-communication", 0)  # seen already: nothing new
    hours = api.record_hours(learner, "applied-skills-workshop", "2.5", by=instructor)
    api.withdraw(hours.pk, by=instructor, reason="wrong day")
    # the evaluation after a withdrawal revokes full_record's badge (its rows were written without all its evidence)
    assert api.get_award(str(awards["badge"].public_id)).status == api.REVOKED

    def verbs():
        return Counter(e.payload["statement"]["verb"]["display"]["en-US"]
                       for e in OutboxEntry.objects.filter(kind="xapi.statement"))

    assert verbs() == {"launched": 1, "experienced": 1, "attended": 1, "satisfied": 1, "voided": 2}, verbs()
    [launched] = [e.payload["statement"] for e in OutboxEntry.objects.filter(kind="xapi.statement")
                  if e.payload["statement"]["verb"]["display"]["en-US"] == "launched"]
    assert launched["context"]["platform"] == "LTI"
    queued = sorted(_queued_ids())
    queue_new()
    assert sorted(_queued_ids()) == queued  # the feed builds the same statements: nothing more
    _drain()
    held = ralph.statements()
    assert sorted(s["id"] for s in held) == queued and ralph_lrs.validation_errors(held) == []
