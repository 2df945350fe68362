"""LTI 1.1 launches: OAuth 1.0a HMAC-SHA1 checked, replay and stale launches refused with a reason, never a 500."""
from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from django.utils.html import escape
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_TYPE_BODY, Client

from caregiving_course.learner_record.models import Identity
from lti_bridge import lti11
from lti_bridge.models import Lti11Consumer, Lti11Outcome

pytestmark = pytest.mark.database

KEY, SECRET = "moodle.example.org", "s3cret-shared-with-moodle"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def consumer(db):
    return lti11.add_consumer("Old Moodle", KEY, SECRET, cohort="moodle-partners")[0]


@pytest.fixture
def module_id(course):
    return course.modules[0].id


def launch_params(**extra) -> dict:
    params = {
        "lti_message_type": "basic-lti-launch-request", "lti_version": "LTI-1p0",
        "resource_link_id": "moodle-rl-7", "user_id": "moodle-user-3", "roles": "Learner",
        "lis_person_name_full": "Sam Rivera", "lis_person_contact_email_primary": "sam@example.org",
        "lis_outcome_service_url": "http://moodle.example.org/mod/lti/service.php",
        "lis_result_sourcedid": '{"data":{"instanceid":"7","userid":"3"},"hash":"abc"}',
    }
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


def signed(module_id: str, *, key=KEY, secret=SECRET, timestamp=None, nonce=None, **extra) -> str:
    uri = f"http://testserver/lti/1.1/launch/{module_id}/"
    client = Client(key, client_secret=secret, signature_method=SIGNATURE_HMAC_SHA1,
                    signature_type=SIGNATURE_TYPE_BODY, timestamp=timestamp, nonce=nonce)
    _uri, _headers, body = client.sign(uri, http_method="POST", body=launch_params(**extra),
                                       headers={"Content-Type": FORM})
    return body


def post(client, module_id, body, content_type=FORM):
    return client.post(f"/lti/1.1/launch/{module_id}/", data=body, content_type=content_type)


def assert_refused(response, status, reason_fragment):
    assert response.status_code == status
    assert reason_fragment in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session
    assert not Lti11Outcome.objects.exists()


def test_valid_launch_signs_in_renders_the_module_and_keeps_the_outcome_service(client, consumer, module_id, course):
    response = post(client, module_id, signed(module_id))
    assert response.status_code == 200, response.content[:500]
    assert escape(course.module(module_id).title) in response.content.decode()
    assert "X-Frame-Options" not in response  # shown inside the consumer's frame, and only the consumer's
    assert "frame-ancestors 'self' http://moodle.example.org;" in response["Content-Security-Policy"] + ";"
    assert "script-src 'self'" in response["Content-Security-Policy"]  # the site's policy, framing replaced
    assert response.wsgi_request.session.get("_auth_user_id")
    identity = Identity.objects.get(source="lti", issuer=KEY, subject="moodle-user-3")
    assert identity.learner.name == "Sam Rivera"
    assert identity.learner.enrolments.get().cohort.name == "moodle-partners"
    assert identity.learner.module_activity.get(module_id=module_id).launched_via == "lti"  # the xAPI launch channel
    outcome = Lti11Outcome.objects.get()
    assert (outcome.learner_id, outcome.module_id) == (identity.learner_id, module_id)
    assert outcome.service_url == "http://moodle.example.org/mod/lti/service.php"
    assert outcome.sourcedid.startswith('{"data"')


def test_relaunch_is_the_same_learner_and_updates_the_sourcedid(client, consumer, module_id):
    post(client, module_id, signed(module_id))
    assert post(client, module_id, signed(module_id, lis_result_sourcedid="new-src")).status_code == 200
    assert Identity.objects.filter(issuer=KEY).count() == 1
    assert Lti11Outcome.objects.get().sourcedid == "new-src"


def test_wrong_secret_is_refused(client, consumer, module_id):
    assert_refused(post(client, module_id, signed(module_id, secret="not-the-secret-at-all")), 401, "signature")


def test_altered_form_is_refused(client, consumer, module_id):
    body = signed(module_id).replace("moodle-user-3", "moodle-user-4")
    assert_refused(post(client, module_id, body), 401, "signature")


def test_launch_signed_for_another_module_url_is_refused(client, consumer, course):
    first, second = course.modules[0].id, course.modules[1].id
    assert_refused(post(client, second, signed(first)), 401, "signature")


def test_expired_timestamp_is_refused(client, consumer, module_id):
    stale = str(int(time.time()) - lti11.TIMESTAMP_WINDOW - 60)
    assert_refused(post(client, module_id, signed(module_id, timestamp=stale)), 401, "expired")
    future = str(int(time.time()) + lti11.TIMESTAMP_WINDOW + 60)
    assert_refused(post(client, module_id, signed(module_id, timestamp=future)), 401, "expired")


def test_replayed_nonce_is_refused(client, consumer, module_id):
    body = signed(module_id)
    assert post(client, module_id, body).status_code == 200
    client.logout()
    Lti11Outcome.objects.all().delete()
    assert_refused(post(client, module_id, body), 401, "already used")


def test_unknown_consumer_key_is_refused(client, consumer, module_id):
    assert_refused(post(client, module_id, signed(module_id, key="who-knows")), 401, "not registered")


@pytest.mark.parametrize(("extra", "reason"), [
    ({"lti_message_type": "ContentItemSelectionRequest"}, "not an LTI 1.1 launch"),
    ({"lti_version": "LTI-2p0"}, "LTI version"),
    ({"user_id": None}, "user_id"),
    ({"resource_link_id": "x" * 300}, "resource_link_id"),
    ({"lis_outcome_service_url": "javascript:alert(1)"}, "outcome service URL"),
])
def test_malformed_launches_are_refused(client, consumer, module_id, extra, reason):
    assert_refused(post(client, module_id, signed(module_id, **extra)), 400, reason)


def test_hostile_requests_are_4xx_never_500(client, consumer, module_id):
    assert_refused(post(client, module_id, "\xff\xfe not a form"), 400, "could not be read")
    assert_refused(post(client, module_id, '{"json": true}', content_type="application/json"), 415, "form POST")
    assert_refused(post(client, module_id, urlencode({"x": "y" * 40_000})), 413, "too large")
    assert_refused(post(client, module_id, signed(module_id, user_id="nul\x00byte")), 400, "could not be read")
    doubled = signed(module_id) + "&oauth_nonce=second"
    assert_refused(post(client, module_id, doubled), 400, "repeats")
    assert_refused(post(client, "no-such-module", signed("no-such-module")), 404, "no module")
    assert client.get(f"/lti/1.1/launch/{module_id}/").status_code == 405


def test_add_consumer_checks_its_input(db):
    _consumer, secret = lti11.add_consumer("Brightspace", "d2l-key")
    assert len(secret) >= 32 and Lti11Consumer.objects.get(consumer_key="d2l-key").secret == secret
    for args, kwargs in [(("", "k"), {}), (("n", "has space"), {}), (("n", "k2", "short"), {}),
                         (("Brightspace", "d2l-key"), {})]:
        with pytest.raises(ValueError):
            lti11.add_consumer(*args, **kwargs)


def test_expired_nonces_are_forgotten(client, consumer, module_id):
    import datetime as dt

    from django.utils import timezone

    from lti_bridge.models import UsedNonce

    assert post(client, module_id, signed(module_id)).status_code == 200
    UsedNonce.objects.create(scope=lti11.NONCE_SCOPE, value="old", expires_at=timezone.now() - dt.timedelta(1))
    UsedNonce.objects.create(scope="lti13", value="old", expires_at=timezone.now() - dt.timedelta(1))
    assert lti11.prune_nonces() == 1
    assert UsedNonce.objects.filter(scope=lti11.NONCE_SCOPE).count() == 1  # the live one stays


def test_a_cohort_name_stored_before_names_were_checked_refuses_the_launch_cleanly(client, consumer, module_id):
    """Issue 21: cohort names are slugs now; a consumer row holding an older, hostile name gets a 409 page, not a 500,
    and nothing is recorded."""
    from lti_bridge.models import Lti11Consumer

    Lti11Consumer.objects.filter(pk=consumer.pk).update(cohort_name="</script><img src=x>")
    assert_refused(post(client, module_id, signed(module_id)), 409, "cohort cannot be used")
    assert not Identity.objects.exists()


def test_add_consumer_refuses_a_cohort_name_that_is_not_a_slug(db):
    with pytest.raises(ValueError, match="cohort name"):
        lti11.add_consumer("Old Moodle", "k2", SECRET, cohort="fall 2026<x>")


def test_a_module_of_a_course_the_consumer_may_not_use_is_refused(client, consumer, course):
    second = "recognising-mental-health-changes"
    consumer.all_courses, consumer.course_ids = False, [course.module_course(course.modules[0].id).id]
    consumer.save()
    learners = Identity.objects.count()
    assert_refused(post(client, second, signed(second)), 403, escape(course.module_course(second).title))
    assert Identity.objects.count() == learners
    assert post(client, course.modules[0].id, signed(course.modules[0].id)).status_code == 200
