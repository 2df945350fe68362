"""LTI 1.1 Basic Outcomes: replaceResult signed with a body hash; the consumer's answer parsed safely."""
from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import unquote

import pytest
from lxml import etree

from caregiving_course.learner_record.models import OutboxEntry
from lti_bridge import lti11, outcomes
from lti_bridge.models import Lti11Outcome
from tests.fakes.lti_platform_ags import AgsPlatform, pox_answer
from tests.lti_scores.conftest import CLIENT_ID, complete

pytestmark = pytest.mark.database

KEY, SECRET = "old-moodle", "a-long-shared-secret-123"


@pytest.fixture
def consumer_platform(tool_jwks):
    with AgsPlatform(CLIENT_ID, tool_jwks, lti11={KEY: SECRET}) as fake:
        yield fake


@pytest.fixture
def outcome_place(consumer_platform, learner, course):
    consumer, _ = lti11.add_consumer("Old Moodle", KEY, SECRET)
    return Lti11Outcome.objects.create(consumer=consumer, learner_id=learner.pk, module_id=course.modules[0].id,
                                       service_url=consumer_platform.outcomes_url, sourcedid="src-<&>-1")


def rows():
    return list(OutboxEntry.objects.filter(kind="lti11.outcome").order_by("id"))


def test_replace_result_reaches_the_consumer_signed_with_a_body_hash(outcome_place, consumer_platform, learner,
                                                                    worker):
    complete(learner, outcome_place.module_id, score=0.9)
    assert worker.drain().delivered == 1
    assert consumer_platform.state.outcomes == {"src-<&>-1": "0.9000"}
    assert consumer_platform.state.outcome_refusals == []
    assert rows()[0].status == "done" and rows()[0].result["codeMajor"] == "success"


def test_body_hash_is_the_sha1_of_the_exact_body_and_is_signed():
    body = outcomes.replace_result_xml("abc", "0.5000", message_id="m1")
    url, headers, signed = outcomes.sign("https://lms.example.org/outcomes?x=1", body, KEY, SECRET)
    params = {k: unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', headers["Authorization"])}
    assert signed == body and url == "https://lms.example.org/outcomes?x=1"
    assert params["oauth_body_hash"] == base64.b64encode(hashlib.sha1(body.encode()).digest()).decode()  # noqa: S324
    assert params["oauth_signature_method"] == "HMAC-SHA1" and params["oauth_consumer_key"] == KEY
    root = etree.fromstring(body.encode())
    ns = {"x": outcomes.NS}
    assert root.xpath("string(//x:sourcedId)", namespaces=ns) == "abc"
    assert root.xpath("string(//x:resultScore/x:textString)", namespaces=ns) == "0.5000"


def test_a_tampered_body_or_wrong_secret_is_refused_by_the_consumer(outcome_place, consumer_platform, learner,
                                                                   worker):
    outcome_place.consumer.secret = "the-wrong-secret-000"
    outcome_place.consumer.save()
    complete(learner, outcome_place.module_id)
    worker.drain()
    assert rows()[0].status == "dead" and "signature mismatch" in rows()[0].last_error
    assert consumer_platform.state.outcomes == {}


def test_dropped_answer_is_resent_harmlessly(outcome_place, consumer_platform, learner, worker):
    consumer_platform.fail("drop", path="/outcomes")
    complete(learner, outcome_place.module_id)
    summary = worker.drain()
    assert summary.delivered == 1 and consumer_platform.state.outcome_posts == 2
    assert consumer_platform.state.outcomes == {"src-<&>-1": "0.9000"}


@pytest.mark.parametrize(("answer", "status", "said"), [
    (pox_answer("failure", "sourcedid unknown"), "dead", "sourcedid unknown"),
    (pox_answer("unsupported"), "dead", "unsupported"),
    (b"<html>502 bad gateway</html>", "dead", "not an imsx_POXEnvelopeResponse"),
    (b"\x00\x01 not xml", "dead", "not XML"),
])
def test_consumer_answers(outcome_place, consumer_platform, learner, worker, answer, status, said):
    consumer_platform.fail("status", path="/outcomes", status=200, body=answer, content_type="application/xml")
    complete(learner, outcome_place.module_id)
    worker.drain()
    assert rows()[0].status == status and said in rows()[0].last_error


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<imsx_POXEnvelopeResponse xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0"><imsx_POXHeader>
<imsx_POXResponseHeaderInfo><imsx_statusInfo><imsx_codeMajor>success</imsx_codeMajor>
<imsx_description>&xxe;</imsx_description></imsx_statusInfo></imsx_POXResponseHeaderInfo></imsx_POXHeader>
</imsx_POXEnvelopeResponse>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<imsx_POXEnvelopeResponse>&lol4;</imsx_POXEnvelopeResponse>"""
ENTITY_NO_DOCTYPE = XXE.replace(b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', b"")
NETWORK = XXE.replace(b"file:///etc/passwd", b"http://127.0.0.1:9/steal")


@pytest.mark.parametrize("hostile", [XXE, LAUGHS, NETWORK, XXE.replace(b"DOCTYPE", b"doctype")],
                         ids=["xxe", "billion-laughs", "network-entity", "lowercase-doctype"])
def test_hostile_answers_are_refused_and_leak_nothing(outcome_place, consumer_platform, learner, worker, hostile):
    consumer_platform.fail("status", path="/outcomes", status=200, body=hostile, content_type="application/xml")
    complete(learner, outcome_place.module_id)
    worker.drain()
    [row] = rows()
    assert row.status == "dead" and "document type declaration is not allowed" in row.last_error
    assert "root:" not in row.last_error


def test_undeclared_entities_never_expand():
    with pytest.raises(outcomes.BadAnswer):
        outcomes.code_major(ENTITY_NO_DOCTYPE)


def test_oversized_answers_are_refused(outcome_place, consumer_platform, learner, worker):
    huge = pox_answer("success").replace(b"<imsx_description></imsx_description>",
                                         b"<imsx_description>" + b"x" * 100_000 + b"</imsx_description>")
    consumer_platform.fail("status", path="/outcomes", status=200, body=huge, content_type="application/xml")
    complete(learner, outcome_place.module_id)
    worker.drain()
    assert rows()[0].status == "dead" and "too large" in rows()[0].last_error


def test_consumer_trouble_is_retried(outcome_place, consumer_platform, learner, worker):
    consumer_platform.fail("429", path="/outcomes", retry_after="0")
    consumer_platform.fail("500", path="/outcomes")
    complete(learner, outcome_place.module_id)
    summary = worker.drain()
    assert summary.delivered == 1 and summary.outcomes["retrying"] == 2
    assert consumer_platform.state.outcomes == {"src-<&>-1": "0.9000"}


def test_a_removed_outcome_service_is_permanent(outcome_place, learner, worker):
    complete(learner, outcome_place.module_id)
    Lti11Outcome.objects.all().delete()
    worker.drain()
    assert rows()[0].status == "dead" and "no longer exists" in rows()[0].last_error


def test_a_late_retry_of_a_lower_score_does_not_overwrite_a_higher_one(outcome_place, consumer_platform, learner,
                                                                        worker):
    from caregiving_course.learner_record import api

    consumer_platform.fail("500", path="/outcomes")  # the first (0.85) fails and is retried after the second
    complete(learner, outcome_place.module_id, score=0.85)
    api.record_knowledge_check(learner, outcome_place.module_id, 1.0)
    assert worker.drain().delivered == 2
    assert consumer_platform.state.outcomes == {"src-<&>-1": "1.0000"}


def test_lti11_launch_then_completion_reaches_the_consumers_gradebook(client, consumer_platform, course, worker):
    """The whole LTI 1.1 path: a signed launch, study, completion, replaceResult at the consumer."""
    from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_TYPE_BODY, Client

    from caregiving_course.learner_record.models import Identity

    lti11.add_consumer("Old Moodle", KEY, SECRET)
    module = course.modules[0].id
    signer = Client(KEY, client_secret=SECRET, signature_method=SIGNATURE_HMAC_SHA1,
                    signature_type=SIGNATURE_TYPE_BODY)
    _uri, _headers, body = signer.sign(
        f"http://testserver/lti/1.1/launch/{module}/", http_method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body={"lti_message_type": "basic-lti-launch-request", "lti_version": "LTI-1p0", "resource_link_id": "rl",
              "user_id": "u-77", "lis_outcome_service_url": consumer_platform.outcomes_url,
              "lis_result_sourcedid": "grade-cell-77"})
    launched = client.post(f"/lti/1.1/launch/{module}/", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert launched.status_code == 200
    learner = Identity.objects.get(issuer=KEY, subject="u-77").learner
    complete(learner, module, score=0.8)
    assert worker.drain().delivered == 1
    assert consumer_platform.state.outcomes == {"grade-cell-77": "0.8000"}
