"""The embed session as a Django authentication backend: who a request inside a partner's iframe is, when the
browser sent none of our cookies.

A launched page carries a signed, expiring token (:func:`lti_bridge.embed.embed_token`); the page's scripts send
it in the ``X-LTI-Session`` header (which a cross-site form cannot set), forms in an ``lti_session`` field.
``django.contrib.auth.authenticate(request)`` with no credentials asks each backend in
``AUTHENTICATION_BACKENDS``; this one answers with the token's user, so views (the XBlock handler view among
them) only ever see a ``request.user``. It never logs anyone in: the token authenticates that request only.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core import signing

from lti_bridge.embed import EMBED_MAX_AGE, EMBED_SALT

MAX_TOKEN = 1024


class EmbedTokenBackend:
    """Authenticates a request by the embed token it carries (``authenticate(request)``, no credentials)."""

    def authenticate(self, request, **credentials):
        if request is None or credentials:
            return None
        token = (request.headers.get("X-LTI-Session") or request.POST.get("lti_session")
                 or request.GET.get("lti_session"))
        if not token or len(token) > MAX_TOKEN:
            return None
        try:
            data = signing.loads(token, salt=EMBED_SALT, max_age=EMBED_MAX_AGE)
        except signing.BadSignature:
            return None
        return self.get_user(data.get("u") if isinstance(data, dict) else None)

    def get_user(self, user_id):
        if user_id is None:
            return None
        return get_user_model().objects.filter(pk=user_id, is_active=True).first()
