"""The XBlock runtime of our own server (``caregiving serve``), for any block and the signed-in user.

Render a block in a Django view
-------------------------------
::

    from xblocks.runtime import render_block

    def my_view(request):
        rendered = render_block(request, "caregiving_dashboard", {"display_name": "Cohort"})
        return render(request, "xblocks/block_page.html", {"xblock": rendered, "title": "Cohort"})

``render_block(request, block_type, fields, view="student_view", *, usage_key=None, learner=None, channel="local")``
returns a :class:`RenderedBlock` with ``html`` (the wrapped block, put it in ``{% block content %}``),
``head_html`` (its CSS, put it in ``{% block head %}``) and ``foot_html`` (the XBlock JS runtime, the
block's scripts and their initialisation, put it in ``{% block scripts %}``). Name the context variable
anything but ``block`` (Django templates use ``block`` inside ``{% block %}``). ``xblocks/block_page.html``
extends ``caregiving/base.html`` and does exactly that; ``block_page(request, ...)`` in
:mod:`xblocks.views` is the one-line view.

- ``fields`` are the block's authored (content/settings) field values. They are signed into the
  block's handler URLs, so a handler call rebuilds the same block and a client cannot change them.
- The acting user is ``request.user``; the learner is ``api.learner_for_user(request.user)`` unless
  ``learner=`` is given (the LTI bridge passes the learner of an LTI identity). Handler URLs are bound
  to that user: another session posting to them gets 403.
- Learner state fields (``Scope.user_state`` etc.) are stored per learner in ``xblocks.models.BlockState``,
  keyed by ``usage_key`` (default: block type plus ``module_id`` or a hash of ``fields``).
- In the block, ``self.runtime.service(self, "user").get_current_user().opt_attrs`` carries
  ``edx-platform.user_id``, ``edx-platform.is_authenticated``, ``caregiving.is_staff`` (administrator,
  or instructor of any cohort) and ``caregiving.learner``; :mod:`xblocks.handlers` has helpers.
- The learner record's services (``caregiving_record``, ``caregiving_badges``, ``caregiving_roster``, see
  :mod:`caregiving_course.learner_record.xblock_services`) are given to every block that wants them.
- Events the block publishes (``grade``, ``completion``, ...) are logged and kept on
  ``runtime.events`` for tests.

Inside an LTI launch (an iframe), call ``render_block`` the same way from the lti_bridge view, with
``learner=`` the launched learner; render the result with ``xblocks/block_frame.html`` (no site
navigation). The block's JS sends the CSRF token from the wrapper's ``data-csrf`` attribute, but Django
still matches it against the CSRF cookie and needs the session cookie: in a cross-site iframe both
cookies must be ``SameSite=None; Secure`` (the LTI bridge's deployment settings).
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
from dataclasses import dataclass

from django.core import signing
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape
from web_fragments.fragment import Fragment
from xblock.fields import ScopeIds
from xblock.runtime import MemoryIdManager, Runtime

from caregiving_course.learner_record import api, xblock_services
from xblocks.services import CurrentUserService, I18nService, SettingsService
from xblocks.state import PlacedFieldData, StateStore

log = logging.getLogger(__name__)
TOKEN_SALT = "xblocks.handler.v1"  # noqa: S105 (a signing namespace, not a secret)
RUNTIME_JS = "xblocks/runtime.js"


@dataclass(frozen=True)
class RenderedBlock:
    html: str
    head_html: str
    foot_html: str


@dataclass(frozen=True)
class Placement:
    """Where a block sits: its type, learner-state key and authored fields (signed into handler URLs)."""

    block_type: str
    usage_key: str
    fields: dict

    @classmethod
    def of(cls, block_type: str, fields: dict, usage_key: str | None = None) -> Placement:
        if usage_key is None:
            if fields.get("module_id"):
                usage_key = str(fields["module_id"])
            else:
                digest = hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()
                usage_key = digest[:16]
        return cls(block_type, f"{block_type}.{usage_key}", dict(fields))


class LazyFlag:
    """A truth value computed (once) when first asked: the staff check costs a query few requests need."""

    def __init__(self, compute) -> None:
        self._compute, self._value = compute, None

    def __bool__(self) -> bool:
        if self._value is None:
            self._value = bool(self._compute())
        return self._value


def is_staff_user(user) -> bool:
    return api.role_of(user) in (api.INSTRUCTOR, api.ADMINISTRATOR)


class CourseRuntime(Runtime):
    """A runtime for one request of one user: builds blocks, makes handler URLs, records events."""

    def __init__(self, request, *, learner=None, channel: str = "local") -> None:
        user = request.user
        authenticated = user.is_authenticated
        if learner is None and authenticated:
            learner = api.learner_for_user(user)
        self.request = request
        self.user = user
        self.learner = learner
        self.events: list[tuple[str, dict]] = []
        self._placements: dict[str, Placement] = {}
        self.store = StateStore(str(learner.pk) if learner is not None else None)
        self.placed_fields = PlacedFieldData(self.store)
        ids = MemoryIdManager()
        super().__init__(ids, ids, services={
            "field-data": self.placed_fields,
            "i18n": I18nService(getattr(request, "LANGUAGE_CODE", None)),
            "settings": SettingsService(),
            "user": CurrentUserService(user, learner, is_staff=LazyFlag(lambda: is_staff_user(user)), channel=channel),
            **xblock_services.services(),
        })

    # Blocks -----------------------------------------------------------------------------------
    def block(self, placement: Placement):
        user_id = str(self.learner.pk) if self.learner is not None else None
        ids = ScopeIds(user_id, placement.block_type, placement.usage_key + ".d", placement.usage_key)
        cls = self.load_block_type(placement.block_type)
        self._placements[placement.usage_key] = placement
        self.placed_fields.place(placement.usage_key, placement.fields)
        return self.construct_xblock_from_class(cls, ids)

    def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False):
        func = getattr(block, handler_name, None)
        if func is None or not getattr(func, "_is_xblock_handler", False):
            raise ValueError(f"{handler_name!r} is not a handler of {block.scope_ids.block_type}")
        url = reverse("xblocks:handler", args=[self.token(self._placements[block.scope_ids.usage_id]), handler_name])
        if suffix:
            url += suffix.lstrip("/")
        return url + (f"?{query}" if query else "")

    def token(self, placement: Placement) -> str:
        payload = [placement.block_type, placement.usage_key, placement.fields, self.user.pk,
                   self.learner.pk if self.learner is not None else None]
        return signing.dumps(payload, salt=TOKEN_SALT, compress=True)

    @staticmethod
    def placement_from_token(token: str) -> tuple[Placement, int | None, int | None]:
        """Read a handler token; raises signing.BadSignature when it was not made by this server."""
        block_type, usage_key, fields, user_pk, learner_pk = _verified_token(token)
        return Placement(block_type, usage_key, json.loads(fields)), user_pk, learner_pk

    def local_resource_url(self, block, uri):
        """A file of the block's ``public/`` folder, served the XBlock way (``open_local_resource``)."""
        return reverse("xblocks:block_resource", args=[block.scope_ids.block_type, uri])

    def resource_url(self, resource):
        return reverse("xblocks:resource", args=[resource])

    def publish(self, block, event_type, event_data):
        self.events.append((event_type, dict(event_data)))
        log.info("xblock event %s from %s for learner %s: %s", event_type, block.scope_ids.usage_id,
                 block.scope_ids.user_id, event_data)

    # Rendering --------------------------------------------------------------------------------
    def _wrap_ele(self, block, view, frag, extra_data=None):
        """The block's HTML in its wrapper: XBlock's own, except that attribute values are escaped and the
        ``initialize_js`` arguments are JSON safe inside a ``<script>`` element (:func:`script_json`)."""
        data = {"usage": block.scope_ids.usage_id, "block-type": block.scope_ids.block_type, **(extra_data or {})}
        placement = self._placements[block.scope_ids.usage_id]
        data["handler-prefix"] = reverse("xblocks:handler", args=[self.token(placement), "HANDLER"])
        data["csrf"] = get_token(self.request)
        if frag.js_init_fn:
            data["init"], data["runtime-version"] = frag.js_init_fn, frag.js_init_version
        json_init = ""
        if getattr(frag, "json_init_args", None) is not None:
            json_init = ('<script type="json/xblock-args" class="xblock_json_init_args">'
                         f"{script_json(frag.json_init_args)}</script>")
        attributes = "".join(f" data-{name}='{escape(value)}'" for name, value in data.items())
        classes = escape(" ".join(self._css_classes_for(block, view)))
        wrapped = Fragment(f"<div class='{classes}'{attributes}>{frag.body_html()}{json_init}</div>")
        wrapped.add_fragment_resources(frag)
        wrapped.add_javascript_url(self.resource_url(RUNTIME_JS))
        return wrapped


_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026",
                   0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(value) -> str:
    """``value`` as JSON that cannot end or alter the ``<script>`` element holding it (as Django's
    ``json_script`` escapes it): ``<``, ``>`` and ``&`` become ``\\u`` escapes, which JSON.parse reads back."""
    return json.dumps(value).translate(_SCRIPT_ESCAPES)


@functools.lru_cache(maxsize=4096)
def _verified_token(token: str) -> tuple:
    """A token's payload, its signature checked once: a page's heartbeats send the same token every few
    seconds. Only tokens that verify are remembered; the fields come back as JSON text, so no caller can
    change what another request reads."""
    block_type, usage_key, fields, user_pk, learner_pk = signing.loads(token, salt=TOKEN_SALT)
    return block_type, usage_key, json.dumps(fields), user_pk, learner_pk


def render_block(request, block_type: str, fields: dict, view: str = "student_view", *,
                 usage_key: str | None = None, learner=None, context: dict | None = None,
                 channel: str = "local") -> RenderedBlock:
    """Render ``block_type`` placed with ``fields`` for the request's user (see the module docstring); ``channel``
    says how the page was reached: "local" (our site) or "lti" (a launch; the module records it)."""
    runtime = CourseRuntime(request, learner=learner, channel=channel)
    block = runtime.block(Placement.of(block_type, fields, usage_key))
    frag: Fragment = runtime.render(block, view, context or {})
    return RenderedBlock(frag.body_html(), frag.head_html(), frag.foot_html())
