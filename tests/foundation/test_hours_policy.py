"""DESIGN.md's hours policy at the learner-record level (the XBlock tests drive it over HTTP)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from caregiving_course.learner_record import api
from caregiving_course.learner_record.models import ActiveSpan, ModuleActivity

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


@pytest.mark.parametrize(("module", "tab", "seq"), [
    ("no-such-module", "tab", 1), (None, "tab", 1), ("MODULE", "t" * 65, 1), ("MODULE", "", 1),
    ("MODULE", "tab", -1), ("MODULE", "tab", "7"), ("MODULE", "tab", True), ("MODULE", "tab", 2**60),
])
def test_malformed_beats_are_refused_and_change_nothing(learner, course, module, tab, seq):
    module = course.modules[0].id if module == "MODULE" else module
    with pytest.raises(api.RecordError):
        api.record_heartbeat(learner, module, tab, seq)
    assert not ModuleActivity.objects.exists()
