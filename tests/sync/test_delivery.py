"""Delivery to the Badgr and Credly fakes over real HTTP: faults, exactly once, dead letters, admin retry."""
from __future__ import annotations

import datetime as dt

import pytest
import requests
from django.utils import timezone

from caregiving_course.learner_record import api, outbox
from caregiving_course.learner_record.models import OutboxEntry
from tests.fakes import badge_platform as fake
from tests.sync import seed
from tests.sync.conftest import drain_all

pytestmark = pytest.mark.django_db


def assert_exactly_once(platform, award_ids, backend="badgr"):
    held = platform.badgr_holdings() if backend == "badgr" else platform.credly_holdings()
    expected = seed.expected_holdings(award_ids, backend)
    assert set(held) == expected
    assert all(n == 1 for n in held.values()), {k: n for k, n in held.items() if n != 1}


def entry_of(award_id, kind="badge.issue") -> OutboxEntry:
    return OutboxEntry.objects.get(key=f"{kind}:{award_id}")


def test_issues_each_award_once_with_one_password_grant(badgr, worker):
    ids = seed.make_awards(5)
    summary = worker.drain()
    assert summary.delivered == 5
    assert_exactly_once(badgr, ids)
    assert badgr.stats["password_grants"] == 1
    result = entry_of(ids[0]).result
    assert result["backend"] == "badgr" and result["remote_id"]


def test_429_waits_at_least_retry_after_then_delivers(badgr, worker):
    ids = seed.make_awards(1)
    badgr.fail("POST", "/v2/badgeclasses/", "429", retry_after="2")
    before = timezone.now()
    worker.drain()
    entry = entry_of(ids[0])
    assert entry.status == OutboxEntry.PENDING and "429" in entry.last_error
    assert entry.next_attempt_at >= before + dt.timedelta(seconds=2)
    OutboxEntry.objects.filter(pk=entry.pk).update(next_attempt_at=timezone.now())  # let time pass
    worker.drain()
    assert entry_of(ids[0]).status == OutboxEntry.DONE
    assert_exactly_once(badgr, ids)


def test_500_is_retried(badgr, worker):
    ids = seed.make_awards(3)
    badgr.fail("POST", "/v2/badgeclasses/", "500", times=2)
    drain_all(worker)
    assert outbox.counts()["done"] == 3
    assert_exactly_once(badgr, ids)


@pytest.mark.parametrize("fault", [
    {"kind": "stall", "stall_seconds": 1.5},                 # timed out before the platform wrote anything
    {"kind": "stall", "stall_seconds": 1.5, "store": True},  # timed out, but the platform stored it
    {"kind": "drop_after_store"},                            # stored, then the connection dropped
])
def test_ambiguous_failure_is_resolved_by_lookup_never_a_second_badge(badgr, worker, fault):
    ids = seed.make_awards(2)
    badgr.fail("POST", "/v2/badgeclasses/", **fault)
    drain_all(worker)
    assert outbox.counts() == {"pending": 0, "done": 2, "dead": 0}
    assert_exactly_once(badgr, ids)
    if fault.get("store") or fault["kind"] == "drop_after_store":
        assert any(entry_of(a).result.get("found_by_lookup") for a in ids)


def test_ambiguous_failure_without_lookup_would_be_refused_as_duplicate_not_doubled(badgr, worker):
    """Even a retry that skipped the lookup is safe: allowDuplicateAwards=false, and its answer maps to the badge."""
    from sync import config
    from sync.backends.handlers import award_info

    ids = seed.make_awards(1)
    backend = config.backend("badgr")
    info = award_info(entry_of(ids[0]).payload)
    first = backend.issue(info)
    again = backend.issue(info)
    assert again.remote_id == first.remote_id
    assert_exactly_once(badgr, ids)


@pytest.mark.database
def test_expired_access_token_is_renewed_with_the_rotated_refresh_token(badgr, worker):
    from sync.models import OAuthToken

    ids = seed.make_awards(2)
    worker.drain()
    first_refresh = OAuthToken.objects.get(backend="badgr").refresh_token
    badgr.expire_tokens()
    more = seed.make_awards(2, prefix="second")
    worker.drain()
    assert outbox.counts()["done"] == 4
    assert badgr.stats["refresh_grants"] == 1 and badgr.stats["password_grants"] == 1
    row = OAuthToken.objects.get(backend="badgr")
    assert row.refresh_token and row.refresh_token != first_refresh  # the rotated one was stored
    # the old refresh token is void at the platform now
    resp = requests.post(badgr.url + "/o/token", data={"grant_type": "refresh_token", "refresh_token": first_refresh},
                         timeout=10)
    assert resp.status_code == 400
    assert_exactly_once(badgr, ids + more)


def test_a_lost_refresh_token_falls_back_to_the_password_grant(badgr, worker):
    from sync.models import OAuthToken

    seed.make_awards(1)
    worker.drain()
    # as if a crash lost the rotated token: the stored one was already used
    OAuthToken.objects.filter(backend="badgr").update(refresh_token="used-or-unknown", access_expires_at=None)
    from sync import config

    config._forget()
    seed.make_awards(1, prefix="later")
    worker.drain()
    assert outbox.counts()["done"] == 2
    assert badgr.stats["refused_refresh"] == 1 and badgr.stats["password_grants"] == 2


def test_wrong_password_dead_letters_with_a_clear_reason(db, platform, worker):
    seed.configure("badgr", platform.url, timeout=0.5)
    from sync import config

    config.update_settings("badgr", {"password": "wrong"})
    ids = seed.make_awards(1)
    worker.drain()
    entry = entry_of(ids[0])
    assert entry.status == OutboxEntry.DEAD and "refused the username and password" in entry.last_error


def test_a_4xx_that_will_never_succeed_stops_at_once(badgr, worker):
    from sync import config

    config.update_settings("badgr", {"badgeclass": {seed.CREDENTIAL: "BC-missing"}})
    ids = seed.make_awards(1)
    worker.drain()
    entry = entry_of(ids[0])
    assert entry.status == OutboxEntry.DEAD and entry.attempts == 1
    assert "404" in entry.last_error and "BadgeClass not found" in entry.last_error


def test_a_credential_without_a_badge_class_dead_letters_saying_what_to_run(badgr, worker):
    ids = seed.make_awards(1, credential="caregiving-college-certificate")
    from sync import config

    config.update_settings("badgr", {"badgeclass": {}})
    config._forget()
    from sync.models import BackendSettings

    row = BackendSettings.objects.get(backend="badgr")
    row.settings["badgeclass"].pop("caregiving-college-certificate")
    row.save()
    worker.drain()
    entry = entry_of(ids[0])
    assert entry.status == OutboxEntry.DEAD
    assert "caregiving issuer set badgr --badgeclass caregiving-college-certificate=ID" in entry.last_error


def test_retry_limit_dead_letters_with_the_answer_then_admin_retry_delivers_once(badgr, worker):
    ids = seed.make_awards(1)
    badgr.fail("POST", "/v2/badgeclasses/", "503", times=5)
    drain_all(worker)
    entry = entry_of(ids[0])
    assert entry.status == OutboxEntry.DEAD and entry.attempts == 5
    assert "gave up after 5 attempts" in entry.last_error and "HTTP 503" in entry.last_error
    from caregiving_course.cli.main import main

    assert main(["sync", "retry", str(entry.pk)]) == 0
    worker.drain()
    assert entry_of(ids[0]).status == OutboxEntry.DONE
    assert_exactly_once(badgr, ids)


def test_revocation_reaches_the_platform_with_its_reason(badgr, worker):
    ids = seed.make_awards(2)
    worker.drain()
    api.revoke(ids[0], reason="issued in error")
    worker.drain()
    assert outbox.counts() == {"pending": 0, "done": 3, "dead": 0}
    (revoked,) = badgr.badgr_revoked()
    assert revoked in seed.expected_holdings([ids[0]])
    assert [a["revocation_reason"] for a in badgr.assertions.values() if a["revoked"]] == ["issued in error"]
    assert_exactly_once(badgr, ids)


@pytest.mark.parametrize("backend", ["badgr", "credly"])
def test_an_award_revoked_before_its_issue_was_delivered_is_never_sent(backend, platform, worker):
    seed.configure(backend, platform.url, timeout=0.5)
    ids = seed.make_awards(2)
    api.revoke(ids[0], reason="withdrawn")
    worker.drain()
    assert outbox.counts() == {"pending": 0, "done": 3, "dead": 0}
    held = platform.badgr_holdings() if backend == "badgr" else platform.credly_holdings()
    assert set(held) == seed.expected_holdings([ids[1]], backend)  # only the award still held was sent
    assert entry_of(ids[0]).result["skipped"] is True
    revoke = entry_of(ids[0], "badge.revoke")
    assert revoke.result["skipped"] is True and "nothing to do" in revoke.result["note"]
    assert not any(k.startswith(("PUT", "DELETE")) for k in platform.stats)  # no revocation request either


def test_an_issue_in_doubt_then_revoked_is_looked_up_and_revoked(badgr, worker):
    ids = seed.make_awards(1)
    badgr.fail("POST", "/v2/badgeclasses/", "drop_after_store")  # the platform stored it; the answer was lost
    worker.drain()
    api.revoke(ids[0], reason="withdrawn")
    drain_all(worker)
    assert outbox.counts() == {"pending": 0, "done": 2, "dead": 0}
    assert entry_of(ids[0]).result["found_by_lookup"] is True
    assert badgr.badgr_revoked() == seed.expected_holdings(ids)
    assert_exactly_once(badgr, ids)


def test_credly_issue_already_issued_is_success_and_revoke(credly, worker):
    ids = seed.make_awards(3)
    (target,) = seed.expected_holdings([ids[0]], "credly")
    # the platform already holds the first one (issued by hand, or by an attempt whose answer was lost)
    resp = requests.post(f"{credly.url}/v1/organizations/{fake.CREDLY_ORG}/badges", auth=(fake.CREDLY_TOKEN, ""),
                         json={"recipient_email": target[1], "badge_template_id": target[0], "issued_at": "2026-01-01",
                               "issued_to_first_name": "A", "issued_to_last_name": "B"}, timeout=10)
    assert resp.status_code == 201
    worker.drain()
    assert outbox.counts()["done"] == 3
    assert_exactly_once(credly, ids, "credly")
    assert entry_of(ids[0]).result["remote_id"] == resp.json()["data"]["id"]
    api.revoke(ids[1], reason="issued in error")
    credly.fail("PUT", "/v1/organizations/", "drop_after_store")
    drain_all(worker)
    assert credly.credly_revoked() == seed.expected_holdings([ids[1]], "credly")
    assert outbox.counts()["dead"] == 0


def test_credly_faults_keep_exactly_once(credly, worker):
    ids = seed.make_awards(6)
    credly.fail("POST", "/v1/organizations/", "429", retry_after="0")
    credly.fail("POST", "/v1/organizations/", "drop_after_store")
    credly.fail("POST", "/v1/organizations/", "stall", stall_seconds=1.0, store=True)
    credly.fail("POST", "/v1/organizations/", "500")
    drain_all(worker)
    assert outbox.counts() == {"pending": 0, "done": 6, "dead": 0}
    assert_exactly_once(credly, ids, "credly")


@pytest.mark.database
def test_many_awards_under_mixed_faults_exist_exactly_once(badgr, worker):
    ids = seed.make_awards(40)
    for kind in ("429", "500", "drop_after_store", "502"):
        badgr.fail("POST", "/v2/badgeclasses/", kind, times=2, retry_after="0")
    badgr.fail("POST", "/v2/badgeclasses/", "stall", times=1, stall_seconds=1.0, store=True)
    badgr.fail("GET", "/v2/badgeclasses/", "500", times=1)
    drain_all(worker)
    assert outbox.counts() == {"pending": 0, "done": 40, "dead": 0}
    assert_exactly_once(badgr, ids)


def test_a_missing_award_or_garbage_payload_dead_letters_without_sending(badgr, worker):
    from django.db import transaction

    with transaction.atomic():
        outbox.enqueue("badge.issue", "badge.issue:nope", {"award": "not-a-uuid"})
        outbox.enqueue("badge.issue", "badge.issue:empty", {})
        outbox.enqueue("badge.issue", "badge.issue:list", {"award": ["x"] * 3})
    worker.drain()
    assert outbox.counts() == {"pending": 0, "done": 0, "dead": 3}
    assert all("no such award" in e.last_error for e in outbox.entries("dead"))
    assert not badgr.assertions


def test_the_builtin_issuer_is_the_default_and_issues_and_revokes_once(db, worker):
    from sync import config

    assert config.backend_name_for(seed.CREDENTIAL) == "builtin"
    ids = seed.make_awards(2)
    drain_all(worker)
    assert outbox.counts() == {"pending": 0, "done": 2, "dead": 0}
    first = entry_of(ids[0]).result
    assert first["backend"] == "builtin" and first["remote_id"] and first["revoked"] is False
    api.revoke(ids[0], reason="issued in error")
    drain_all(worker)
    assert entry_of(ids[0], "badge.revoke").result["revoked"] is True
    assert outbox.counts()["dead"] == 0


def test_short_lived_access_tokens_are_renewed_before_they_lapse(db, worker):
    import time

    with fake.FakePlatform(token_ttl=1) as platform:
        seed.configure("badgr", platform.url, timeout=0.5)
        ids = seed.make_awards(2)
        worker.drain()
        time.sleep(1.1)
        more = seed.make_awards(2, prefix="later")
        worker.drain()
        assert outbox.counts() == {"pending": 0, "done": 4, "dead": 0}
        assert platform.stats["refresh_grants"] >= 1 and platform.stats["password_grants"] == 1
        assert_exactly_once(platform, ids + more)
