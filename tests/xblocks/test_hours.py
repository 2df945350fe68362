"""The hours policy through the module block's heartbeat handler (DESIGN.md, "Hours: honest and explainable")."""
from __future__ import annotations

import pytest
from django.conf import settings

from caregiving_course.learner_record import api

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def beat(client, seq: int, tab: str = "tab-a", **extra):
    payload = {"tab": tab, "seq": seq, "visible": True, "idle_seconds": 0}
    payload.update(extra)
    return client.call("heartbeat", payload)


def seconds(learner, module_id: str = "alpha") -> int:
    return api.module_state(learner, module_id)["seconds"]


def test_beats_credit_only_the_time_the_server_observed(block_client, learner_user, learner, clock):
    client = block_client(learner_user)
    status, first = beat(client, 1)
    assert status == 200 and first["credited_seconds"] == 0 and first["ignored"] == "first"
    clock.advance(12)
    status, second = beat(client, 2, idle_seconds=0)
    assert status == 200 and second["credited_seconds"] == 12
    assert seconds(learner) == 12


def test_the_client_cannot_claim_time(block_client, learner_user, learner, clock):
    client = block_client(learner_user)
    beat(client, 1)
    clock.advance(5)
    status, reply = beat(client, 2, seconds=3600)
    assert status == 400 and "seconds" in reply["error"]
    assert seconds(learner) == 0


def test_one_beat_credits_at_most_the_cap(block_client, learner_user, learner, clock):
    cap = settings.HEARTBEAT_MAX_CREDIT_SECONDS
    client = block_client(learner_user)
    beat(client, 1)
    clock.advance(cap)
    assert beat(client, 2)[1]["credited_seconds"] == cap
    clock.advance(cap + 1)
    status, reply = beat(client, 3)
    assert status == 200 and reply["credited_seconds"] == 0 and reply["ignored"] == "gap"
    assert seconds(learner) == cap


@pytest.mark.parametrize("replayed_seq", [2, 1])
def test_replayed_duplicate_or_out_of_order_beats_are_ignored(block_client, learner_user, learner, clock,
                                                              replayed_seq):
    client = block_client(learner_user)
    beat(client, 1)
    clock.advance(10)
    beat(client, 2)
    clock.advance(10)
    status, reply = beat(client, replayed_seq)
    assert status == 200 and reply["credited_seconds"] == 0 and reply["ignored"] == "replay"
    assert seconds(learner) == 10


def test_two_tabs_accrue_wall_time_once(block_client, learner_user, learner, clock):
    first_tab, second_tab = block_client(learner_user), block_client(learner_user)
    beat(first_tab, 1, tab="one")
    for seq in range(1, 5):
        clock.advance(5)
        beat(second_tab, seq, tab="two")
        clock.advance(10)
        beat(first_tab, seq + 1, tab="one")
    assert seconds(learner) == 60  # four rounds of 15 s of wall time, not 2 x 60


def test_connection_loss_credits_nothing_for_the_gap_and_loses_nothing(block_client, learner_user, learner, clock):
    client = block_client(learner_user)
    beat(client, 1)
    clock.advance(15)
    beat(client, 2)
    clock.advance(15)
    beat(client, 3)
    assert seconds(learner) == 30
    clock.advance(600)  # offline for ten minutes
    status, reply = beat(client, 4)
    assert status == 200 and reply["credited_seconds"] == 0 and reply["module_seconds"] == 30
    clock.advance(15)
    assert beat(client, 5)[1]["credited_seconds"] == 15
    assert seconds(learner) == 45


def test_server_clock_jumping_back_credits_nothing(block_client, learner_user, learner, clock):
    client = block_client(learner_user)
    beat(client, 1)
    clock.advance(15)
    beat(client, 2)
    clock.advance(-120)
    status, reply = beat(client, 3)
    assert status == 200 and reply["credited_seconds"] == 0 and reply["ignored"] == "clock"
    clock.advance(10)  # still before the last beat the server saw
    assert beat(client, 4)[1]["credited_seconds"] == 0
    assert seconds(learner) == 15


def test_beats_of_another_learner_never_touch_this_learner(block_client, learner_user, learner, make_user, clock):
    other_user = make_user("other@example.org", cohort="fall-2026")
    mine, theirs = block_client(learner_user), block_client(other_user)
    beat(mine, 1)
    beat(theirs, 1)
    clock.advance(20)
    beat(theirs, 2, tab="tab-a")
    assert seconds(learner) == 0
    assert seconds(api.learner_for_user(other_user)) == 20


@pytest.mark.parametrize("payload, reason", [
    ({"tab": "t", "seq": 1, "visible": False, "idle_seconds": 0}, "hidden"),
    ({"tab": "t", "seq": 1, "visible": True, "idle_seconds": 10_000}, "idle"),
])
def test_hidden_or_idle_pages_accrue_nothing(block_client, learner_user, learner, clock, payload, reason):
    client = block_client(learner_user)
    beat(client, 1, tab="t")
    clock.advance(15)
    payload = dict(payload, seq=2)
    status, reply = client.call("heartbeat", payload)
    assert status == 200 and reply["credited_seconds"] == 0 and reply["ignored"] == reason
    assert seconds(learner) == 0


def test_idle_window_is_the_configured_one(block_client, learner_user, learner, clock):
    client = block_client(learner_user)
    beat(client, 1)
    clock.advance(15)
    status, reply = beat(client, 2, idle_seconds=settings.HEARTBEAT_IDLE_SECONDS)
    assert status == 200 and reply["credited_seconds"] == 15


@pytest.mark.parametrize("raw", [
    b"{", b"[]", b"null", b'"text"', b"\xff\xfe", b'{"tab": "t", "seq": NaN, "visible": true, "idle_seconds": 0}',
    b'{"tab": 5, "seq": 1, "visible": true, "idle_seconds": 0}',
    b'{"tab": "", "seq": 1, "visible": true, "idle_seconds": 0}',
    b'{"tab": "t", "seq": -1, "visible": true, "idle_seconds": 0}',
    b'{"tab": "t", "seq": true, "visible": true, "idle_seconds": 0}',
    b'{"tab": "t", "seq": 1.5, "visible": true, "idle_seconds": 0}',
    b'{"tab": "t", "seq": 1, "visible": "yes", "idle_seconds": 0}',
    b'{"tab": "t", "seq": 1, "visible": true, "idle_seconds": -1}',
    b'{"tab": "t", "seq": 1, "visible": true}',
    b'{"tab": "' + b"x" * 65 + b'", "seq": 1, "visible": true, "idle_seconds": 0}',
    b'{"tab": "t", "seq": 1, "visible": true, "idle_seconds": 0, "pad": "' + b"x" * 5000 + b'"}',
    b"[" * 5000 + b"]" * 5000,
])
def test_malformed_beats_are_refused_and_change_nothing(block_client, learner_user, learner, clock, raw):
    client = block_client(learner_user)
    beat(client, 1)
    clock.advance(15)
    status, reply = client.call("heartbeat", raw=raw)
    assert status == 400 and reply["error"]
    assert seconds(learner) == 0
    assert beat(client, 2)[1]["credited_seconds"] == 15  # the refused beat did not move the clock


def test_anonymous_beats_are_refused(block_client, clock):
    client = block_client(None)
    status, reply = beat(client, 1)
    assert status == 403 and reply["error"]


def test_handlers_want_post(block_client, learner_user):
    status, _ = block_client(learner_user).call("heartbeat", raw=b"", method="GET")
    assert status == 405


def test_the_page_counted_seconds_limit_the_credit(block_client, learner_user, learner, clock):
    client = block_client(learner_user)
    beat(client, 1, active_seconds=10)
    clock.advance(12)
    status, reply = beat(client, 2, active_seconds=3)  # hidden for most of the 12 seconds
    assert status == 200 and reply["credited_seconds"] == 3 + 10  # and the first interval, now proven
    for bad in (-1, "5", None, 10**6):
        status, reply = beat(client, 3, active_seconds=bad)
        assert status == 400 and "active_seconds" in reply["error"]
    assert seconds(learner) == 13
