"""The embed session is a Django authentication backend: ``authenticate(request)`` knows a launched page's request
by its signed token, and nothing else."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core import signing
from django.test import RequestFactory

from lti_bridge.embed import EMBED_SALT, embed_token

pytestmark = pytest.mark.django_db


def _request(token: str | None = None, *, field: str | None = None):
    headers = {"HTTP_X_LTI_SESSION": token} if token is not None else {}
    return RequestFactory().post("/", {"lti_session": field} if field else {}, **headers)


def test_the_backend_is_one_of_the_sites():
    assert "lti_bridge.auth.EmbedTokenBackend" in settings.AUTHENTICATION_BACKENDS


def test_a_valid_token_in_the_header_or_a_form_field_authenticates_its_user(learner_user):
    token = embed_token(learner_user, "fall-2026")
    assert authenticate(_request(token)) == learner_user
    assert authenticate(_request(field=token)) == learner_user


def test_no_tampered_expired_or_oversized_token_and_no_inactive_user(learner_user, monkeypatch):
    token = embed_token(learner_user)
    assert authenticate(_request()) is None
    assert authenticate(_request(token[:-2] + "xx")) is None
    assert authenticate(_request("x" * 2000)) is None
    assert authenticate(_request(signing.dumps({"u": learner_user.pk}, salt="another.salt"))) is None
    monkeypatch.setattr("lti_bridge.auth.EMBED_MAX_AGE", -1)
    assert authenticate(_request(token)) is None
    monkeypatch.undo()
    learner_user.is_active = False
    learner_user.save()
    assert authenticate(_request(token)) is None


def test_credentials_are_not_this_backends_business(learner_user):
    token = signing.dumps({"u": learner_user.pk}, salt=EMBED_SALT)
    assert authenticate(_request(token), username="learner@example.org", password="wrong") is None
