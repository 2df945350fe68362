"""Hours the page itself counts (issue 17.2), in a real browser against a server of its own with 5-second beats.

A page hidden right after a beat and shown again just before the next one must be credited only the seconds
it was visible, not the server's whole gap; and the first interval of a visit, which no earlier beat can
vouch for, is credited once the next beat proves the learner stayed. Each assertion compares what was
credited with what the page was seen doing (the beats' own log), never with how fast anything ran.
"""
from __future__ import annotations

import os
import time

import pytest

from tests.browser.conftest import _free_port, serving
from tests.browser.support import BeatLog, fresh_email, hide, keep_active, nudge, show, sign_up

pytestmark = pytest.mark.browser

INTERVAL, CAP = 5, 12


@pytest.fixture(scope="module")
def slow_beats(tmp_path_factory, fast_course):
    """`caregiving serve` with a beat every 5 s (at most 12 s credited a beat) and a 60 s idle window."""
    port = _free_port()
    env = {**os.environ, "CAREGIVING_HOME": str(tmp_path_factory.mktemp("counted-home")),
           "CAREGIVING_CONTENT": str(fast_course), "CAREGIVING_BASE_URL": f"http://127.0.0.1:{port}",
           "CAREGIVING_HEARTBEAT_INTERVAL": str(INTERVAL), "CAREGIVING_HEARTBEAT_MAX_CREDIT": str(CAP),
           "CAREGIVING_HEARTBEAT_IDLE": "60"}
    env.pop("DATABASE_URL", None)
    yield from serving(env, port)


def answered(log: BeatLog, count: int, page) -> list:
    """Keep the learner active until ``count`` beats have been answered; those beats."""
    keep_active([page], 60, until=lambda: sum(b.reply is not None for b in log.beats) >= count)
    done = [b for b in log.beats if b.reply is not None]
    assert len(done) >= count, f"only {len(done)} beats answered: {log.beats}"
    return done


def open_module(page, server: str, module_id: str) -> tuple[BeatLog, float]:
    log = BeatLog().attach(page)
    page.goto(f"{server}/course/module/{module_id}/")
    page.locator(".cg-module").wait_for()
    nudge(page)
    return log, time.monotonic()


def test_time_hidden_between_two_beats_is_not_credited(page, slow_beats):
    sign_up(page, slow_beats, "Vera Visible", fresh_email("between"))
    log, _ = open_module(page, slow_beats, "caregiver-role")
    answered(log, 2, page)
    sent = len(log.beats)
    keep_active([page], 30, until=lambda: len(log.beats) > sent, step=0.05)
    hide(page)  # right after a beat went out
    hidden_at = time.monotonic()
    beats_before = len(log.beats)
    for _ in range(8):  # hidden for about 4 of the 5 seconds; the mouse still moves over it
        nudge(page)
        page.wait_for_timeout(500)
    assert len(log.beats) == beats_before, "a hidden page sent a beat"
    show(page)
    shown_at = time.monotonic()
    keep_active([page], 30, until=lambda: any(b.reply is not None for b in log.sent_since(shown_at)))
    beat = next(b for b in log.sent_since(shown_at) if b.reply is not None)
    hidden = shown_at - hidden_at
    assert beat.reply["credited_seconds"] <= 2, (
        f"{beat.reply['credited_seconds']} s credited for a gap in which the page was hidden {hidden:.1f} s "
        f"and visible about {beat.sent - shown_at + 0.2:.1f} s")


def test_the_first_interval_of_a_visit_is_credited_by_the_next_beat(page, slow_beats):
    sign_up(page, slow_beats, "Fiona First", fresh_email("first"))
    log, opened = open_module(page, slow_beats, "person-centred-communication")
    first, second = answered(log, 2, page)[:2]
    assert first.reply["credited_seconds"] == 0 and first.reply["ignored"] == "first", first.reply
    observed = second.answered - opened + 1  # the page was open this long when the second beat was answered
    credited = second.reply["module_seconds"]
    assert credited >= INTERVAL + 2, f"only {credited} s credited: the visit's first interval was lost"
    assert credited <= observed, f"{credited} s credited for {observed:.1f} s the page was open"
