"""Fixtures for the score side of the LTI bridge: a fake platform on 127.0.0.1 and a learner launched from it."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.fakes.lti_platform_ags import AgsPlatform

CLIENT_ID = "tool-client-1"
SUBJECT = "platform-user-42"


@pytest.fixture(autouse=True)
def _fast_http(settings):
    settings.LTI_HTTP_TIMEOUT = (3.0, 2.0)  # a stalled platform times out quickly (a busy one does not)
    settings.ALLOW_PRIVATE_HOSTS = ["127.0.0.1"]  # the fake platforms listen on loopback


@pytest.fixture
def tool_jwks():
    from lti_bridge import keys

    return keys.jwks


@pytest.fixture
def fake_platform(tool_jwks):
    with AgsPlatform(CLIENT_ID, tool_jwks) as platform:
        yield platform


@pytest.fixture
def worker():
    """A sync worker for the score kinds whose retries are due at once (unless the platform names a wait)."""
    from sync.delivery import RetryPolicy
    from sync.worker import Worker

    return Worker("test-worker", policy=RetryPolicy(base_seconds=0, cap_seconds=0, max_attempts=4),
                  kinds=["lti.score", "lti11.outcome"])


@dataclass
class Placement:
    platform: object  # lti_bridge Platform
    link: object  # ResourceLink
    fake: AgsPlatform


def register(fake: AgsPlatform, *, name="Spark University", module_id=None, lineitem=True, scopes=None,
             context="course-1", resource_link_id="rl-1") -> Placement:
    """A Platform, Deployment and ResourceLink pointing at ``fake`` (with the launch's line item, or without)."""
    from caregiving_course.framework import catalogue
    from lti_bridge.models import Deployment, Platform, ResourceLink
    from lti_bridge.scores import SCORE_MAXIMUM

    module_id = module_id or catalogue().modules[0].id
    platform, _ = Platform.objects.get_or_create(issuer=fake.base, client_id=fake.client_id, defaults={
        "name": name, "auth_login_url": f"{fake.base}/auth", "auth_token_url": fake.token_url,
        "key_set_url": f"{fake.base}/jwks"})
    deployment, _ = Deployment.objects.get_or_create(platform=platform, deployment_id="dep-1")
    lineitem_url = fake.add_lineitem(context, label="Module", scoreMaximum=SCORE_MAXIMUM, resourceId=module_id,
                                     resourceLinkId=resource_link_id) if lineitem else ""
    link = ResourceLink.objects.create(
        deployment=deployment, resource_link_id=resource_link_id, context_id=context, module_id=module_id,
        lineitems_url=fake.lineitems_url(context), lineitem_url=lineitem_url,
        ags_scopes=scopes if scopes is not None else [
            "https://purl.imsglobal.org/spec/lti-ags/scope/score",
            "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
            "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"])
    return Placement(platform, link, fake)


def launched(placement: Placement, learner, subject: str = SUBJECT):
    from lti_bridge.models import LaunchLearner

    return LaunchLearner.objects.create(resource_link=placement.link, learner_id=learner.pk, subject=subject)


def complete(learner, module_id: str, score: float = 0.9) -> bool:
    from caregiving_course.framework import catalogue
    from caregiving_course.learner_record.synthetic import simulate_study

    module = catalogue().module(module_id)
    return simulate_study(learner, module_id, seconds=int(module.hours * 3600), score=score)


@pytest.fixture(autouse=True)
def _forget_tokens_and_links(db):
    """Primary keys are reused after each test's rollback: nothing cached may outlive its test."""
    from lti_bridge import ags, tokens

    tokens.forget()
    ags.forget_links()
    yield
    tokens.forget()
    ags.forget_links()


def another_learner(name: str):
    from caregiving_course.learner_record import api

    return api.learner_for_identity("lti", name, issuer="https://lms.example.org", name=name)


@pytest.fixture
def learner(db):
    """A learner (without the password hashing of a local account: these tests never sign in)."""
    return another_learner("learner@example.org")


@pytest.fixture
def placement(fake_platform, db):
    return register(fake_platform)
