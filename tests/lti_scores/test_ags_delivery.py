"""Scores reach the platform's gradebook over real HTTP, once, through every fault the platform can throw."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from caregiving_course.learner_record import api, outbox
from caregiving_course.learner_record.models import OutboxEntry
from lti_bridge import ags, outbound
from lti_bridge.models import ResourceLink
from tests.fakes.lti_platform_ags import AgsPlatform
from tests.lti_scores.conftest import CLIENT_ID, SUBJECT, another_learner, complete, launched, register

pytestmark = pytest.mark.database


def rows():
    return list(OutboxEntry.objects.filter(kind="lti.score").order_by("id"))


def make_due_now():
    for row in OutboxEntry.objects.filter(kind="lti.score", status="pending"):
        outbox.reschedule(row.id, timezone.now(), row.last_error)


def test_score_is_delivered_end_to_end_once(placement, learner, worker):
    fake = placement.fake
    launched(placement, learner)
    complete(learner, placement.link.module_id, score=0.9)
    summary = worker.drain()
    assert summary.delivered == 1
    [row] = rows()
    assert row.status == "done" and row.result["lineitem"] == placement.link.lineitem_url
    [score] = fake.scores_for(SUBJECT)
    assert score["scoreGiven"] == 90 and score["gradingProgress"] == "FullyGraded"
    fake.assert_each_score_once()
    assert fake.state.tokens_issued == 1
    assert worker.drain().total == 0  # nothing is sent again


def test_a_raised_score_is_sent_and_one_token_serves_many(placement, learner, worker):
    fake = placement.fake
    learners = [learner] + [another_learner(f"l{i}@example.org") for i in range(4)]
    for i, each in enumerate(learners):
        launched(placement, each, subject=f"sub-{i}")
        complete(each, placement.link.module_id, score=0.85)
    api.record_knowledge_check(learner, placement.link.module_id, 1.0)
    assert worker.drain().delivered == 6
    assert [s["scoreGiven"] for s in fake.scores_for("sub-0")] == [85, 100]
    assert fake.state.results[(placement.link.lineitem_url, "sub-0")]["scoreGiven"] == 100
    assert fake.state.tokens_issued == 1
    fake.assert_each_score_once()


def test_line_item_is_found_by_resource_id_when_the_launch_named_none(fake_platform, learner, worker):
    placement = register(fake_platform, lineitem=False)
    existing = fake_platform.add_lineitem(label="Set up by deep linking", scoreMaximum=100,
                                          resourceId=placement.link.module_id)
    fake_platform.add_lineitem(label="Another module", scoreMaximum=100, resourceId="something-else")
    launched(placement, learner)
    complete(learner, placement.link.module_id)
    assert worker.drain().delivered == 1
    assert ResourceLink.objects.get(pk=placement.link.pk).lineitem_url == existing
    assert len(fake_platform.state.lineitems) == 2  # nothing created
    assert [r.lineitem for r in fake_platform.state.received] == [existing]
    assert fake_platform.state.received[0].user_agent == "caregiving-course-lti/1.0"  # partners see who calls


def test_line_item_is_created_once_when_the_platform_has_none(fake_platform, learner, worker, course):
    placement = register(fake_platform, lineitem=False)
    other = another_learner("second@example.org")
    launched(placement, learner)
    launched(placement, other, subject="second")
    complete(learner, placement.link.module_id)
    complete(other, placement.link.module_id)
    assert worker.drain().delivered == 2
    [item] = fake_platform.state.lineitems.values()
    module = course.module(placement.link.module_id)
    assert item["label"] == module.title and item["scoreMaximum"] == 100
    assert item["resourceId"] == module.id and item["resourceLinkId"] == "rl-1"
    assert {r.lineitem for r in fake_platform.state.received} == {item["id"]}


def test_a_lost_line_item_creation_answer_does_not_create_a_second(fake_platform, learner, worker):
    from sync.delivery import RetryPolicy

    placement = register(fake_platform, lineitem=False)
    fake_platform.fail("stall", path=r"/lineitems$", method="POST", seconds=3.0)  # created after we gave up
    launched(placement, learner)
    complete(learner, placement.link.module_id)
    worker.policy = RetryPolicy(base_seconds=3600, cap_seconds=3600)  # the retry waits: nothing else this drain
    worker.drain()
    assert rows()[0].status == "pending" and "ReadTimeout" in rows()[0].last_error
    wait_for(lambda: fake_platform.state.lineitems)  # the platform finishes creating it
    make_due_now()
    assert worker.drain().delivered == 1
    assert len(fake_platform.state.lineitems) == 1  # found by resource id on the retry, not created again
    fake_platform.assert_each_score_once()


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the platform never got there"
        time.sleep(0.05)


def test_server_error_is_retried(placement, learner, worker):
    placement.fake.fail("500")
    launched(placement, learner)
    complete(learner, placement.link.module_id)
    summary = worker.drain()
    assert summary.delivered == 1 and summary.outcomes["retrying"] == 1
    placement.fake.assert_each_score_once()
    assert len(placement.fake.state.received) == 1  # the 500 came before the platform looked at it


def test_429_waits_as_long_as_the_platform_asks(placement, learner, worker):
    placement.fake.fail("429", retry_after="120")
    launched(placement, learner)
    complete(learner, placement.link.module_id)
    before = timezone.now()
    assert worker.drain().delivered == 0
    [row] = rows()
    assert row.status == "pending" and row.next_attempt_at >= before + dt.timedelta(seconds=119)
    assert "429" in row.last_error
    make_due_now()  # two minutes pass
    assert worker.drain().delivered == 1
    placement.fake.assert_each_score_once()


def test_a_stalled_platform_times_out_and_the_resend_is_harmless(placement, learner, worker):
    placement.fake.fail("stall", seconds=3.0)  # past our 2 s read timeout; it stores the score afterwards
    launched(placement, learner)
    complete(learner, placement.link.module_id)
    worker.drain()
    [row] = rows()
    assert row.status == "done" and row.attempts == 2
    placement.fake.assert_each_score_once()
    assert len(placement.fake.state.results) == 1


def test_an_answer_dropped_after_the_score_was_stored(placement, learner, worker):
    placement.fake.fail("drop")
    launched(placement, learner)
    complete(learner, placement.link.module_id)
    summary = worker.drain()
    assert summary.delivered == 1 and summary.outcomes["retrying"] == 1
    state = placement.fake.state
    assert len(state.received) == 2 and state.received[0].answered == 0  # sent twice, first answer lost
    placement.fake.assert_each_score_once()  # stored once, accepted once: the resend was a no-op


def test_expired_token_is_refreshed_once(placement, learner, worker):
    fake = placement.fake
    other = another_learner("later@example.org")
    launched(placement, learner)
    launched(placement, other, subject="later")
    complete(learner, placement.link.module_id)
    worker.drain()
    fake.expire_tokens()
    complete(other, placement.link.module_id)
    assert worker.drain().delivered == 1
    assert fake.state.tokens_issued == 2
    assert len(fake.scores_for("later")) == 1
    fake.assert_each_score_once()


def test_a_token_refused_twice_is_permanent(placement, learner, worker):
    placement.fake.fail("401", times=2)
    launched(placement, learner)
    complete(learner, placement.link.module_id)
    worker.drain()
    [row] = rows()
    assert row.status == "dead" and "401" in row.last_error
    assert placement.fake.state.tokens_issued == 2


def test_dead_letter_after_the_retry_limit_keeps_the_platforms_answer(placement, learner, worker):
    placement.fake.fail("500", times=4)
    launched(placement, learner)
    complete(learner, placement.link.module_id)
    worker.drain()
    [row] = rows()
    assert row.status == "dead" and row.attempts == 4
    assert "HTTP 500" in row.last_error and "internal error" in row.last_error
    assert placement.fake.state.received == []
    assert outbox.retry(row.id)  # an administrator retries once the platform is back
    assert worker.drain().delivered == 1
    placement.fake.assert_each_score_once()


def test_a_refusal_is_permanent_at_once_with_the_answer(placement, learner, worker):
    placement.fake.fail("status", status=400, body='{"error": "userId is not enrolled in this context"}')
    launched(placement, learner)
    complete(learner, placement.link.module_id)
    worker.drain()
    [row] = rows()
    assert row.status == "dead" and row.attempts == 1
    assert "userId is not enrolled" in row.last_error


def test_token_endpoint_trouble_is_retried_and_refusal_is_permanent(placement, learner, worker):
    placement.fake.fail("500", path="/token")
    launched(placement, learner)
    complete(learner, placement.link.module_id)
    assert worker.drain().delivered == 1

    placement.platform.client_id = "not-registered-there"
    placement.platform.save()
    from lti_bridge import tokens

    tokens.forget()
    ags.forget_links()  # (otherwise seen within ags.LINK_CACHE_SECONDS)
    api.record_knowledge_check(learner, placement.link.module_id, 1.0)
    worker.drain()
    assert rows()[-1].status == "dead" and "invalid_client" in rows()[-1].last_error


def test_scores_never_cross_to_another_platform(tool_jwks, learner, worker, db):
    with AgsPlatform(CLIENT_ID, tool_jwks) as first, AgsPlatform("other-client", tool_jwks) as second:
        a = register(first, name="Spark University", resource_link_id="same-id")
        b = register(second, name="Canvas college", resource_link_id="same-id")
        launched(a, learner, subject="spark-sub")
        launched(b, learner, subject="canvas-sub")
        complete(learner, a.link.module_id)
        assert worker.drain().delivered == 2
        assert [s["userId"] for s in first.scores_for("spark-sub")] == ["spark-sub"]
        assert first.scores_for("canvas-sub") == [] and second.scores_for("spark-sub") == []
        assert [s["userId"] for s in second.scores_for("canvas-sub")] == ["canvas-sub"]
        assert first.state.foreign_tokens == second.state.foreign_tokens == 0
        assert first.state.tokens_issued == second.state.tokens_issued == 1

        # A row tampered to name one platform but another's resource link is refused, not sent.
        row = rows()[0]
        OutboxEntry.objects.filter(pk=row.pk).update(
            key="lti.score:tampered", status="pending", payload={**row.payload, "platform": b.platform.pk,
                                                                 "resource_link": a.link.pk})
        worker.drain()
        tampered = OutboxEntry.objects.get(key="lti.score:tampered")
        assert tampered.status == "dead" and "another platform" in tampered.last_error
        assert len(first.state.received) == 1 and len(second.state.received) == 1


def test_hostile_line_item_answers_are_refused_safely(fake_platform, learner, worker):
    placement = register(fake_platform, lineitem=False)
    fake_platform.fail("status", path=r"/lineitems$", status=200, body=b"[" + b'{"id": "x"},' * 200_000 + b"{}]")
    launched(placement, learner)
    complete(learner, placement.link.module_id)
    worker.drain()
    [row] = rows()
    assert row.status == "dead" and "too large" in row.last_error
    assert ResourceLink.objects.get(pk=placement.link.pk).lineitem_url == ""

    fake_platform.fail("status", path=r"/lineitems$", status=200, body=b"<html>not json</html>")
    outbox.retry(row.id)
    worker.drain()
    assert rows()[0].status == "dead" and "not JSON" in rows()[0].last_error


def test_placement_without_grade_services_is_permanent(fake_platform, learner, worker):
    placement = register(fake_platform, lineitem=False)
    ResourceLink.objects.filter(pk=placement.link.pk).update(lineitems_url="")
    launched(placement, learner)
    complete(learner, placement.link.module_id)
    worker.drain()
    assert rows()[0].status == "dead" and "no line item" in rows()[0].last_error


@pytest.mark.parametrize(("lineitem", "expected"), [
    ("https://lms.example.org/api/lti/courses/1/line_items/2", "https://lms.example.org/api/lti/courses/1/line_items/2/scores"),
    ("https://lms.example.org/mod/lti/services.php/2/lineitems/7/lineitem?type_id=3",
     "https://lms.example.org/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=3"),
    ("https://lms.example.org/li/9/?a=1&b=2", "https://lms.example.org/li/9/scores?a=1&b=2"),
])
def test_scores_url_keeps_the_query_string(lineitem, expected):
    assert ags.scores_url(lineitem) == expected


def test_an_accepted_score_with_an_oversized_answer_is_still_done(placement, learner, worker):
    placement.fake.fail("status", status=200, body=b"x" * 500_000)
    launched(placement, learner)
    complete(learner, placement.link.module_id)
    assert worker.drain().delivered == 1
    assert rows()[0].status == "done"


def test_a_late_retry_of_a_lower_score_does_not_replace_a_higher_one(placement, learner, worker):
    placement.fake.fail("500")  # the first score (85) fails and is retried after the raised one (100) arrived
    launched(placement, learner)
    complete(learner, placement.link.module_id, score=0.85)
    api.record_knowledge_check(learner, placement.link.module_id, 1.0)
    assert worker.drain().delivered == 2
    assert [s["scoreGiven"] for s in placement.fake.scores_for(SUBJECT)] == [100, 85]
    assert placement.fake.state.results[(placement.link.lineitem_url, SUBJECT)]["scoreGiven"] == 100


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/ctx/lineitems/1/scores", "http:///ctx/lineitems/1/scores",
                                 "127.0.0.1:8000/ctx/lineitems/1/scores", "http://[::1/ctx/lineitems/1/scores"])
def test_an_address_that_is_not_an_http_url_with_a_host_is_refused_before_any_connection(url):
    with pytest.raises(outbound.BadAddress):
        outbound.call("POST", url, body=b"{}", headers={}, limit=10)
