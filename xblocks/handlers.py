"""What every JSON handler of our blocks shares: strict parsing, the acting learner, errors as JSON.

A handler decorated with :func:`learner_handler` receives ``(self, data, learner)``: ``data`` is a
JSON object (dict) no bigger than ``max_bytes``, ``learner`` the learner the *runtime* authenticated.
Malformed, oversized or mistyped input answers 400 with ``{"error": reason}`` before anything is
changed; no authenticated learner answers 403; no learner record on this platform answers 503.
"""
from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable

from webob import Response
from xblock.core import XBlock

from xblocks.lookup import RECORD, service
from xblocks.services import CHANNEL_ATTR, LEARNER_ATTR, RUNTIME_ATTR, STAFF_ATTR

MAX_BODY_BYTES = 4096


class HandlerError(Exception):
    """Refuse a request with an HTTP status and a reason a person can read."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def json_response(payload: dict, status: int = 200) -> Response:
    # ASCII JSON with its headers given whole (WebOb's content-type and charset handling costs more than the reply).
    return Response(json.dumps(payload).encode(), status=status, headerlist=[("Content-Type", "application/json")])


def _reject_constant(name: str):
    raise ValueError(f"{name} is not allowed")


def parse_json_object(body: bytes, max_bytes: int) -> dict:
    if len(body) > max_bytes:
        raise HandlerError(400, f"request body is larger than {max_bytes} bytes")
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise HandlerError(400, "request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise HandlerError(400, "request body must be a JSON object")
    return data


def current_user_attrs(block) -> dict:
    """The signed-in user's attributes (``XBlockUser.opt_attrs``; read them, do not change them)."""
    service = block.runtime.service(block, "user")
    user = service.get_current_user() if service else None
    return user.opt_attrs if user is not None else {}


def record_service(block):
    """The learner-record service the block can reach (see :mod:`xblocks.lookup`), or None."""
    return service(block, RECORD)


def current_learner(block, record=None):
    """The learner the runtime signed in, or None (also when no learner record is available).

    Our runtime hands over the learner it resolved from the session (a local account, or the
    account the LTI bridge made for a launch). Another runtime (Open edX) names its user in the
    ``user`` service (``edx-platform.user_id``, ``edx-platform.username``), whom the learner-record
    service maps to a learner by that platform's identity.
    """
    attrs = current_user_attrs(block)
    if attrs.get(RUNTIME_ATTR):
        return attrs.get(LEARNER_ATTR)
    user_id = attrs.get("edx-platform.user_id")
    if not attrs.get("edx-platform.is_authenticated") or user_id is None:
        return None
    record = record if record is not None else record_service(block)
    if record is None:
        return None
    return record.learner_for_platform_user(user_id, attrs.get("edx-platform.username") or "")


def launch_channel(block) -> str:
    """How the learner reached the block: our runtime says "local" (our site) or "lti" (a launch from a partner's
    LMS); any other runtime hosting the block is the Open edX LMS ("openedx")."""
    attrs = current_user_attrs(block)
    return (attrs.get(CHANNEL_ATTR) or "local") if attrs.get(RUNTIME_ATTR) else "openedx"


def current_user_is_staff(block) -> bool:
    attrs = current_user_attrs(block)
    return bool(attrs.get(STAFF_ATTR) or attrs.get("edx-platform.user_is_staff"))


def answer_json(method: str, content_length: int | None, read_body: Callable[[], bytes], learner,
                respond: Callable[[dict], dict], max_bytes: int = MAX_BODY_BYTES, *, record) -> tuple[dict, int]:
    """The payload and status of a strict JSON handler: ``respond(data)`` for a POSTed JSON object of at most
    ``max_bytes`` from an authenticated ``learner``, or the error that refused the request (nothing changed).
    ``record`` is the learner-record service (its refusals answer 403 and 400), None where there is none (503)."""
    try:
        if method != "POST":
            raise HandlerError(405, "use POST")
        if record is None:
            raise HandlerError(503, "the caregiving learner record is not available on this platform")
        if learner is None:
            raise HandlerError(403, "sign in to record your progress")
        if content_length is not None and content_length > max_bytes:
            raise HandlerError(400, f"request body is larger than {max_bytes} bytes")
        return respond(parse_json_object(read_body(), max_bytes)), 200
    except HandlerError as error:
        return {"error": error.reason}, error.status
    except record.NotAllowed as error:
        return {"error": str(error)}, 403
    except record.RecordError as error:
        return {"error": str(error)}, 400


def learner_handler(max_bytes: int = MAX_BODY_BYTES):
    """Make ``func(self, data, learner) -> dict`` a strict JSON XBlock handler (POST only, see :func:`answer_json`)."""

    def decorate(func):
        @XBlock.handler
        @functools.wraps(func)
        def wrapper(self, request, suffix=""):
            record = record_service(self)
            learner = current_learner(self, record) if request.method == "POST" and record is not None else None
            payload, status = answer_json(request.method, request.content_length, lambda: request.body, learner,
                                          lambda data: func(self, data, learner), max_bytes, record=record)
            return json_response(payload, status)

        return wrapper

    return decorate


def require_int(data: dict, key: str, *, low: int = 0, high: int = 2**53 - 1) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise HandlerError(400, f"'{key}' must be a whole number from {low} to {high}")
    return value


def require_number(data: dict, key: str, *, low: float = 0, high: float = 10**9) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not low <= value <= high:
        raise HandlerError(400, f"'{key}' must be a number from {low} to {high}")
    return float(value)


def require_str(data: dict, key: str, *, min_len: int = 0, max_len: int) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not min_len <= len(value) <= max_len:
        raise HandlerError(400, f"'{key}' must be text of {min_len} to {max_len} characters")
    return value


def require_bool(data: dict, key: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise HandlerError(400, f"'{key}' must be true or false")
    return value


def only_keys(data: dict, allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise HandlerError(400, f"unexpected field(s): {', '.join(unknown)[:200]}")
