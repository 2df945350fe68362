"""Honest hours in a real browser: a hidden or idle page stops accruing, and two tabs accrue once.

The module script (xblocks/public/module.js) sends a heartbeat every interval (1 s here) only while
``document.visibilityState`` is "visible" and the learner interacted within the idle window (4 s); the
server credits the time between a learner's beats by its own clock, at most 3 s a beat, once per learner.
Time on task is read from the learner record in a separate process (seconds, not the pages' minutes).
No assertion is about speed: only "did not grow while hidden or idle" and "did not double".
"""
from __future__ import annotations

import time

import pytest

from tests.browser.support import BeatLog, fresh_email, hide, keep_active, record_of, show, sign_up

pytestmark = pytest.mark.browser

IDLE, MAX_CREDIT = 4, 3  # the harness's CAREGIVING_HEARTBEAT_IDLE and CAREGIVING_HEARTBEAT_MAX_CREDIT
SETTLE = IDLE + 2  # long enough for every beat of a page that stopped to be sent and answered


def seconds_in(env: dict, email: str, module_id: str) -> int:
    return record_of(env, email)["modules"][module_id]["seconds"]


def open_module(page, server: str, module_id: str) -> BeatLog:
    log = BeatLog().attach(page)
    page.goto(f"{server}/course/module/{module_id}/")
    page.locator(".cg-module").wait_for()
    return log


def active_until_credited(pages: list, logs: list[BeatLog], since: float) -> None:
    """Interact until every page's beats are answered, and the learner record is crediting time."""
    def flowing() -> bool:
        return all(any(b.reply is not None for b in log.sent_since(since)) for log in logs) and \
            any((b.reply or {}).get("credited_seconds") for log in logs for b in log.sent_since(since))

    keep_active(pages, 30, until=flowing)
    assert flowing(), "the module page never got a heartbeat credited: " + repr([log.beats for log in logs])


def test_hidden_tab_stops_accruing_even_while_the_mouse_moves(page, server, server_env):
    module_id = "person-centred-communication"
    email = fresh_email("hidden")
    sign_up(page, server, "Hana Hidden", email)
    log = open_module(page, server, module_id)
    active_until_credited([page], [log], 0)

    hide(page)
    hidden_at = time.monotonic()
    keep_active([page], 2)  # any beat already on its way is answered
    before = seconds_in(server_env, email, module_id)
    mark = time.monotonic()
    keep_active([page], 8)  # the learner keeps moving the mouse over a page that reports itself hidden
    after = seconds_in(server_env, email, module_id)

    assert not log.sent_since(mark), "the hidden page kept sending heartbeats"
    assert len(log.sent_since(hidden_at + 0.5)) == 0, "heartbeats went on after the page was hidden"
    assert after == before, f"time on task grew from {before}s to {after}s while the page was hidden"

    # Visible again: accrual resumes, and the span it was hidden is not credited.
    shown_at = time.monotonic()
    show(page)
    active_until_credited([page], [log], shown_at)
    first_back = next(b for b in log.sent_since(shown_at) if b.reply is not None)
    assert first_back.reply["credited_seconds"] == 0, f"the hidden span was credited: {first_back.reply}"
    assert seconds_in(server_env, email, module_id) > after


def test_idle_tab_stops_accruing(page, server, server_env):
    module_id = "safety-and-infection-prevention"
    email = fresh_email("idle")
    sign_up(page, server, "Ines Idle", email)
    log = open_module(page, server, module_id)
    active_until_credited([page], [log], 0)

    stopped = time.monotonic()  # from here on nobody touches the page
    at_stop = seconds_in(server_env, email, module_id)
    page.wait_for_timeout(SETTLE * 1000)
    before = seconds_in(server_env, email, module_id)
    mark = time.monotonic()
    page.wait_for_timeout(8000)
    after = seconds_in(server_env, email, module_id)

    assert not log.sent_since(mark), "an idle page kept sending heartbeats after the idle window"
    assert not [b for b in log.sent_since(stopped) if b.sent > stopped + IDLE + 1.5], \
        "heartbeats went on longer than the idle window after the last interaction"
    assert after == before, f"time on task grew from {before}s to {after}s while the learner was idle"
    waited = time.monotonic() - stopped
    assert after - at_stop <= IDLE + MAX_CREDIT + 2 < waited, \
        f"{after - at_stop}s credited in {waited:.0f}s without any interaction"

    # The learner comes back: accrual resumes, the idle span is not credited.
    back = time.monotonic()
    active_until_credited([page], [log], back)
    first_back = next(b for b in log.sent_since(back) if b.reply is not None)
    assert first_back.reply["credited_seconds"] == 0, f"the idle span was credited: {first_back.reply}"


def test_two_tabs_of_one_learner_accrue_once(page, server, server_env):
    email = fresh_email("twotabs")
    sign_up(page, server, "Tariq Twotabs", email)
    other = page.context.new_page()
    other.set_default_timeout(20_000)
    logs = [open_module(page, server, "daily-living-support"),
            open_module(other, server, "mental-health-and-addictions")]
    assert page.evaluate("document.visibilityState") == other.evaluate("document.visibilityState") == "visible"
    active_until_credited([page, other], logs, 0)
    page.wait_for_timeout(SETTLE * 1000)  # both pages fall idle: a still starting point
    before = record_of(server_env, email)["total"]

    start = time.monotonic()
    keep_active([page, other], 20, step=0.3)  # the learner works in both tabs for 20 s
    page.wait_for_timeout(SETTLE * 1000)
    after = record_of(server_env, email)["total"]

    phase = [b for log in logs for b in log.sent_since(start)]
    for name, log in zip(("first", "second"), logs, strict=True):
        answered = [b for b in log.sent_since(start) if b.reply is not None]
        assert len(answered) >= 5, f"the {name} tab hardly sent heartbeats ({len(answered)}): both must be active"
    span = max(b.answered for b in phase if b.answered) - min(b.sent for b in phase)
    gained = after - before
    assert gained <= span + MAX_CREDIT + 2, f"{gained}s credited for {span:.0f}s in two tabs: counted twice"
    assert gained < 1.5 * span, f"{gained}s credited for {span:.0f}s in two tabs: counted twice"
    assert gained >= 0.4 * span, f"only {gained}s credited for {span:.0f}s of work in two tabs"
    other.close()
