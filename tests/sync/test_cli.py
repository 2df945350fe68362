"""`caregiving sync` and `caregiving issuer` from the command line (in process, against the fake platform)."""
from __future__ import annotations

import json

import pytest

from caregiving_course.cli.main import main
from caregiving_course.learner_record import outbox
from tests.fakes import badge_platform as fake
from tests.sync import seed

pytestmark = pytest.mark.django_db


def test_once_delivers_everything_and_exits_0_with_a_summary_table(badgr, capsys):
    ids = seed.make_awards(3)
    assert main(["sync", "--once", "--no-evaluate"]) == 0
    out = capsys.readouterr().out
    assert "badge.issue" in out and "delivered" in out
    assert outbox.counts()["done"] == 3
    assert sum(badgr.badgr_holdings().values()) == len(ids)


def test_once_exits_1_when_something_failed_and_names_the_answer(badgr, capsys):
    seed.make_awards(2)
    badgr.fail("POST", "/v2/badgeclasses/", "500", times=1)
    assert main(["sync", "--once", "--no-evaluate"]) == 1
    out = capsys.readouterr().out
    assert "HTTP 500" in out and "1" in out
    assert outbox.counts() == {"pending": 1, "done": 1, "dead": 0}


def test_once_with_max_wait_sees_retries_through_and_exits_0(badgr, capsys):
    seed.make_awards(2)
    badgr.fail("POST", "/v2/badgeclasses/", "429", times=1, retry_after="1")
    assert main(["sync", "--once", "--no-evaluate", "--max-wait", "20"]) == 0
    assert outbox.counts()["done"] == 2


def test_once_exits_1_on_a_dead_letter(badgr, capsys):
    from sync import config

    config.update_settings("badgr", {"badgeclass": {seed.CREDENTIAL: "BC-missing"}})
    seed.make_awards(1)
    assert main(["sync", "--once", "--no-evaluate"]) == 1
    assert "dead" in capsys.readouterr().out
    assert outbox.counts()["dead"] == 1


def test_once_evaluates_awards_for_learners_with_new_activity(badgr, learner, course, capsys):
    """An award met but not yet recorded (here: evidence written without evaluating) is made and delivered."""
    from decimal import Decimal

    from django.utils import timezone

    from caregiving_course.learner_record.models import ModuleActivity, ModuleCompletion

    now = timezone.now()
    badge = course.credential(seed.CREDENTIAL)
    for comp in badge.components:
        module = course.module(comp.id)
        ModuleActivity.objects.create(learner=learner, module_id=module.id, seconds=int(module.hours * 3600),
                                      best_score=1.0, last_activity_at=now)
        ModuleCompletion.objects.create(learner=learner, module_id=module.id, score=1.0,
                                        credited_hours=Decimal(module.hours), time_on_task_seconds=1, completed_at=now)
    assert main(["sync", "--once"]) == 0
    assert "awards made: 1" in capsys.readouterr().out
    assert badgr.badgr_holdings() == {("BC-badge", learner.email): 1}
    assert main(["sync", "--once"]) == 0  # nothing new: no second award, no second badge
    assert "awards made: 0" in capsys.readouterr().out


def test_dry_run_says_what_would_be_sent_and_sends_nothing(badgr, capsys):
    seed.make_awards(2)
    assert main(["sync", "--once", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Would send 2" in out and "badgr" in out and "example.org" in out
    assert not badgr.assertions and outbox.counts()["pending"] == 2


@pytest.mark.parametrize("argv", [["sync", "--dry-run"], ["sync", "--once", "--batch", "0"],
                                  ["sync", "retry", "999999"], ["issuer", "use", "badgr", "--credential", "nope"],
                                  ["issuer", "set", "badgr", "--badgeclass", "no-equals-sign"],
                                  ["issuer", "set", "badgr", "--url", "ftp://x"], ["issuer", "set", "credly"],
                                  ["issuer", "set", "badgr", "--timeout", "soon"],
                                  ["issuer", "set", "credly", "--timeout", "-1"]])
def test_usage_errors_exit_2_in_one_line(db, argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error:" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["sync", "--once", "--worker"], ["sync", "retry", "abc"],
                                  ["issuer", "use", "nosuch"], ["sync", "--idle", "-1", "--worker"]])
def test_malformed_arguments_exit_2(db, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_using_an_unconfigured_backend_is_refused_saying_what_to_set(db, capsys):
    assert main(["issuer", "use", "credly"]) == 2
    assert "caregiving issuer set credly" in capsys.readouterr().err


def test_issuer_set_use_show_masks_secrets(db, platform, capsys):
    assert main(["issuer", "set", "badgr", "--url", platform.url, "--username", fake.USERNAME,
                 "--password", fake.PASSWORD, "--client-secret", "very-secret-client",
                 "--badgeclass", "caregiving-badge=BC-badge"]) == 0
    assert main(["issuer", "use", "badgr", "--credential", "caregiving-badge"]) == 0
    capsys.readouterr()
    assert main(["issuer", "show"]) == 0
    out = capsys.readouterr().out
    assert fake.PASSWORD not in out and "very-secret-client" not in out and "********" in out
    assert "caregiving-badge: badgr" in out and "default issuer: builtin" in out
    assert main(["issuer", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["backends"]["badgr"]["settings"]["password"] == "********"
    from sync import config

    assert config.backend_name_for("caregiving-badge") == "badgr"
    assert config.backend_name_for("caregiving-college-certificate") == "builtin"


def test_status_lists_pending_failed_with_answer_and_done(badgr, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    seed.make_awards(2)
    badgr.fail("POST", "/v2/badgeclasses/", "422", times=1)
    main(["sync", "--once", "--no-evaluate"])
    capsys.readouterr()
    assert main(["sync", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["counts"] == {"pending": 0, "done": 1, "dead": 1}
    assert "HTTP 422" in status["dead"][0]["answer"]
    assert main(["sync", "status"]) == 0
    out = capsys.readouterr().out
    assert "dead-lettered" in out and "HTTP 422" in out and "Done" in out


def test_a_secret_given_as_dash_is_read_from_stdin_and_never_printed(db, platform, monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("token-from-stdin\n"))
    assert main(["issuer", "set", "credly", "--organization", fake.CREDLY_ORG, "--token", "-",
                 "--template", "caregiving-badge=T-badge"]) == 0
    from sync import config

    assert config.settings_of("credly")[1]["token"] == "token-from-stdin"
    assert main(["issuer", "show"]) == 0
    assert "token-from-stdin" not in capsys.readouterr().out


def test_once_exits_0_on_a_first_run_where_a_revoke_follows_its_issue_in_the_same_batch(badgr, capsys):
    """The revoke waits for the issue the same batch settled: not a failure (once exited 1 here)."""
    from caregiving_course.learner_record import api

    ids = seed.make_awards(2)
    api.revoke(ids[0], reason="issued in error")
    assert main(["sync", "--once", "--no-evaluate"]) == 0, capsys.readouterr().out
    assert outbox.counts() == {"pending": 0, "done": 3, "dead": 0}


def test_once_exits_0_while_a_revoke_legitimately_waits_for_an_issue_in_progress(badgr, capsys):
    import datetime as dt

    from django.utils import timezone

    from caregiving_course.learner_record import api
    from caregiving_course.learner_record.models import OutboxEntry

    ids = seed.make_awards(1)
    api.revoke(ids[0], reason="issued in error")
    # another worker holds the issue right now (its lease is live): the revoke waits for it
    OutboxEntry.objects.filter(kind="badge.issue").update(lease_owner="other-worker",
                                                          lease_expires_at=timezone.now() + dt.timedelta(minutes=5))
    assert main(["sync", "--once", "--no-evaluate"]) == 0
    out = capsys.readouterr().out
    assert "waiting for the badge to be issued" in out
    revoke = OutboxEntry.objects.get(kind="badge.revoke")
    assert revoke.status == OutboxEntry.PENDING and revoke.attempts == 0  # nothing was sent: no attempt


def test_once_keeps_exiting_1_during_an_outage_even_when_nothing_is_due(badgr, capsys):
    from caregiving_course.learner_record.models import OutboxEntry

    seed.make_awards(1)
    badgr.fail("POST", "/v2/badgeclasses/", "500", times=1)
    assert main(["sync", "--once", "--no-evaluate"]) == 1
    assert OutboxEntry.objects.get().next_attempt_at > timezone_now()  # backing off: nothing due now
    capsys.readouterr()
    assert main(["sync", "--once", "--no-evaluate"]) == 1  # exited 0 before: cron missed the outage
    assert "overdue: 1" in capsys.readouterr().out
    OutboxEntry.objects.update(next_attempt_at=timezone_now())
    assert main(["sync", "--once", "--no-evaluate"]) == 0  # the platform is back: delivered
    assert main(["sync", "--once", "--no-evaluate"]) == 0


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def _dead_letter_with_a_long_answer(answer: str) -> None:
    from django.db import transaction

    with transaction.atomic():
        outbox.enqueue("badge.issue", "badge.issue:wide-answer", {"award": "wide-answer", "credential": "c"})
    outbox.dead_letter(outbox.entries("pending")[0].id, answer)


def _compact(text: str) -> str:
    """``text`` without white space and table borders: what stays of a cell however it was folded."""
    return "".join(text.replace("│", "").split())


@pytest.mark.parametrize("columns", [60, 80, 132])
def test_status_fits_the_terminal_and_shows_the_whole_answer(db, monkeypatch, capsys, columns):
    answer = 'HTTP 422: {"error": "' + "the badge class entity id is unknown; " * 12 + 'END"}'
    _dead_letter_with_a_long_answer(answer)
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["sync", "status"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= columns, out
    assert _compact(answer) in _compact(out), out


def test_status_json_is_complete_and_parses(db, capsys):
    answer = 'HTTP 500: {"detail": "' + "x" * 3000 + '"}'
    _dead_letter_with_a_long_answer(answer)
    assert main(["sync", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["dead"][0]["answer"] == answer and status["dead"][0]["payload"]["award"] == "wide-answer"
    assert status["dead"][0]["next_attempt_at"].count("T") == 1  # ISO 8601
    assert main(["sync", "status", "--limit", "0"]) == 2
