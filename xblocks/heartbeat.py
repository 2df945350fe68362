"""The module page's heartbeat: its rules, and our server's way of answering it without building the block.

Every open module page beats every few seconds, so a beat is the request our server answers most. Answered
as a block handler, it builds an XBlock runtime, the block, a WebOb request and response and their Django
counterparts around a few lines of work: on a busy server (``bench.bench_heartbeats``), answering beats
without them served about a tenth more beats a second, on SQLite and on PostgreSQL. Open edX answers its most
frequent browser requests (tracking events, completion batches) with plain views for the same reason.

So the rules of a beat live here, in :func:`answer_beat`, which the module block's ``heartbeat`` handler
calls in every runtime. Our server's handler view (:mod:`xblocks.views`) answers that handler with
:func:`beat_response` instead of building the block: the same authentication, CSRF check, body limits, errors
and reply. The one beat in a module that reaches its required time on task also needs the block (it may
complete the module and publish ``completion``): ``beat_response`` then asks the block for its ``status``
handler's answer and adds it to the reply, as the block's own handler does.
"""
from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from caregiving_course.framework import Course, Module, catalogue
from xblocks.handlers import (
    HandlerError,
    answer_json,
    only_keys,
    require_bool,
    require_int,
    require_number,
    require_str,
)
from xblocks.i18n import format_duration
from xblocks.services import I18nService, SettingsService

BLOCK_TYPE = "caregiving_module"  # the module block's entry point
SETTINGS_BUCKET = "caregiving_module"  # its XBLOCK_SETTINGS bucket (block_settings_key)
HANDLER = "heartbeat"
DEFAULT_INTERVAL_SECONDS, DEFAULT_IDLE_SECONDS = 15, 120  # where neither the bucket nor the settings say


def policy(bucket: dict) -> dict:
    """Seconds between beats and of idleness after which beats stop counting, from the block type's
    ``XBLOCK_SETTINGS`` bucket (as Open edX keeps them), the server's settings, or the defaults."""
    return {
        "interval": int(bucket.get("heartbeat_interval_seconds",
                                   getattr(settings, "HEARTBEAT_INTERVAL_SECONDS", DEFAULT_INTERVAL_SECONDS))),
        "idle": int(bucket.get("heartbeat_idle_seconds",
                               getattr(settings, "HEARTBEAT_IDLE_SECONDS", DEFAULT_IDLE_SECONDS))),
    }


def placed_module(module_id: str) -> tuple[Course, Module]:
    """The course and the module a module block was placed with; refused when the course has no such module."""
    course = catalogue()
    if not course.has_module(module_id):
        raise HandlerError(400, "this block has no module of the course selected")
    return course, course.module(module_id)


def answer_beat(data: dict, learner, course: Course, module: Module, *, idle_limit: int, i18n,
                record) -> tuple[dict, bool]:
    """Record one beat of ``module``'s page (``data`` as the page sent it) through the learner-record service
    ``record``, and the reply for the page; with it, whether this beat brought the module's time on task to its
    required share (then the module may complete)."""
    only_keys(data, {"tab", "seq", "visible", "idle_seconds", "active_seconds"})
    tab = require_str(data, "tab", min_len=1, max_len=64)
    seq = require_int(data, "seq")
    visible = require_bool(data, "visible")
    idle = require_number(data, "idle_seconds")
    # The page's own count of visible, active seconds since its previous beat; the server credits no more.
    claim = int(require_number(data, "active_seconds", high=86_400)) if "active_seconds" in data else None
    if not visible or idle > idle_limit:
        return {"credited_seconds": 0, "ignored": "hidden" if not visible else "idle"}, False
    beat = record.record_heartbeat(learner, module.id, tab, seq, course=course, claim=claim)
    reply = {"credited_seconds": beat.credited_seconds, "module_seconds": beat.module_seconds,
             "ignored": beat.ignored, "time_text": format_duration(i18n, beat.module_seconds)}
    needed, before = course.minimum_seconds(module), beat.module_seconds - beat.credited_seconds
    return reply, bool(beat.credited_seconds) and before < needed <= beat.module_seconds


def beat_response(request: HttpRequest, fields: dict, learner, block_status: Callable[[], dict], *,
                  record) -> HttpResponse:
    """Our server's answer to the module block's ``heartbeat`` handler, for an authenticated request whose CSRF
    check passed, without building the block: the block placed with ``fields``, ``learner`` the one it was
    shown to, ``record`` the learner-record service our runtime gives blocks. ``block_status()`` is the block's
    ``status`` handler's answer, asked only when the beat brought the module to its required time."""

    def respond(data: dict) -> dict:
        course, module = placed_module(fields.get("module_id") or "")
        reply, reached = answer_beat(data, learner, course, module,
                                     idle_limit=policy(SettingsService.bucket(SETTINGS_BUCKET))["idle"],
                                     i18n=I18nService(getattr(request, "LANGUAGE_CODE", None)), record=record)
        if reached:
            reply.update(block_status())
        return reply

    length = request.META.get("CONTENT_LENGTH")
    payload, status = answer_json(request.method, int(length) if length and length.isdigit() else None,
                                  lambda: request.body, learner, respond, record=record)
    # the reply holds JSON's own types only: encoded without JsonResponse's encoder class, built anew per reply
    return HttpResponse(json.dumps(payload).encode(), content_type="application/json", status=status)
