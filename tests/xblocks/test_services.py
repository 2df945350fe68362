"""The blocks reach the learner record only through XBlock runtime services.

Three hosts: our runtime (which provides the services), an LMS-style runtime (the user as Open edX's ``user``
service names it, no services of ours, so the blocks fall back to the installed learner-record app), and a host
with neither (the block says so in the page, its handlers answer 503).
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import webob
from django.utils import translation
from xblock.fields import ScopeIds
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import DictKeyValueStore, KvsFieldData, MemoryIdManager, Runtime

from caregiving_course.learner_record import api
from xblocks.services import I18nService

XBLOCKS = Path(__file__).resolve().parents[2] / "xblocks"
BLOCK_MODULES = ("module_block.py", "progress_block.py", "dashboard_block.py", "handlers.py", "heartbeat.py",
                 "lookup.py", "i18n.py", "services.py", "dashboard")


class LmsUserService(UserService):
    """The ``user`` service as edx-platform's DjangoXBlockUserService fills it."""

    def __init__(self, user, *, staff: bool = False) -> None:
        xuser = XBlockUser(is_current_user=True, emails=[user.email], full_name=user.get_full_name())
        xuser.opt_attrs.update({"edx-platform.user_id": user.pk, "edx-platform.username": user.get_username(),
                                "edx-platform.is_authenticated": True, "edx-platform.user_is_staff": staff,
                                "edx-platform.user_role": "instructor" if staff else "student"})
        super().__init__(user=xuser)

    def get_current_user(self):
        return self._user


class HostRuntime(Runtime):
    """A runtime that gives blocks ``user``, ``i18n`` and field data, and whatever else it is handed."""

    def __init__(self, user=None, *, language: str = "en", **services) -> None:
        ids = MemoryIdManager()
        given = {"field-data": KvsFieldData(DictKeyValueStore()), "i18n": I18nService(language), **services}
        if user is not None:
            given["user"] = LmsUserService(user, staff=user.is_superuser)
        super().__init__(ids, ids, services=given)
        self.events: list[tuple[str, dict]] = []

    def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False):
        return f"/handler/{handler_name}/{suffix}"

    def local_resource_url(self, block, uri):
        return f"/resource/{block.scope_ids.block_type}/{uri}"

    def resource_url(self, resource):
        return f"/static/{resource}"

    def publish(self, block, event_type, event_data):
        self.events.append((event_type, dict(event_data)))

    def place(self, block_type: str, **fields):
        ids = ScopeIds("u", block_type, f"{block_type}.d", f"{block_type}.u")
        block = self.construct_xblock(block_type, ids)
        for name, value in fields.items():
            setattr(block, name, value)
        return block

    def call(self, block, handler: str, payload: dict) -> tuple[int, dict]:
        request = webob.Request.blank("/", method="POST", body=json.dumps(payload).encode(),
                                      content_type="application/json")
        response = self.handle(block, handler, request)
        return response.status_code, json.loads(response.body)


def _imports(path: Path) -> list[tuple[str, bool]]:
    """Every module ``path`` imports, with whether the import runs when the module is imported."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        for name in names:
            found.append((name, node in tree.body))
    return found


def test_xblocks_never_imports_the_bridge_the_sync_or_the_record_models():
    for path in XBLOCKS.rglob("*.py"):
        for name, _ in _imports(path):
            assert not name.startswith(("lti_bridge", "sync")), (path, name)
            assert name != "caregiving_course.learner_record.models", (path, name)
    source = "\n".join(p.read_text(encoding="utf-8") for p in XBLOCKS.rglob("*.py"))
    assert "importlib" not in source


def test_the_blocks_import_no_part_of_the_record_when_they_load():
    for name in BLOCK_MODULES:
        for path in [XBLOCKS / name] if name.endswith(".py") else sorted((XBLOCKS / name).glob("*.py")):
            at_import = [m for m, top in _imports(path) if top and m.startswith("caregiving_course.learner_record")]
            assert at_import == [], path


def test_every_block_declares_the_services_it_wants():
    from xblock.core import XBlock

    from caregiving_course.learner_record import xblock_services

    wanted = {"caregiving_module": {"caregiving_record"},
              "caregiving_progress": {"caregiving_record", "caregiving_badges"},
              "caregiving_dashboard": {"caregiving_record", "caregiving_roster"}}
    for block_type, names in wanted.items():
        declared = XBlock.load_class(block_type)._services_requested
        assert {n: declared.get(n) for n in names} == dict.fromkeys(names, "want")
        assert names <= set(xblock_services.services())


@pytest.mark.django_db
def test_an_lms_style_runtime_without_our_services_reaches_the_installed_record(learner_user, learner, clock,
                                                                              test_course):
    """The user comes from the ``user`` service (``edx-platform.user_id``): the learner of that account, the one
    its cohort's instructors see; the record is the installed app's."""
    runtime = HostRuntime(learner_user)
    block = runtime.place("caregiving_module", module_id="alpha")
    for index in range(3):
        assert runtime.call(block, "view_section", {"index": index})[0] == 200
    assert api.module_state(learner, "alpha")["sections_viewed"] == [0, 1, 2]
    right = {q.id: next(i for i, c in enumerate(q.choices) if c.correct) for q in test_course.module("alpha").questions}
    status, reply = runtime.call(block, "submit_check", {"answers": right})
    assert status == 200 and reply["passed"] and ("grade", {"value": 1.0, "max_value": 1.0}) in runtime.events
    for seq in range(1, 16):
        assert runtime.call(block, "heartbeat", {"tab": "t", "seq": seq, "visible": True, "idle_seconds": 0})[0] == 200
        clock.advance(15)
    assert runtime.call(block, "status", {})[1]["completed"] is True
    assert [e for e in runtime.events if e[0] == "completion"] == [("completion", {"completion": 1.0})]
    html = runtime.render(block, "student_view").body_html()
    assert "Module completed" in html and "not available" not in html
    assert api.progress(learner).modules_done == 1


@pytest.mark.django_db
def test_a_platform_user_unknown_here_is_a_learner_of_the_platform_identity():
    from caregiving_course.learner_record.xblock_services import LearnerRecordService

    record = LearnerRecordService()
    learner = record.learner_for_platform_user(987654, "remote")
    assert learner == api.learner_for_identity("openedx", "987654") and learner.user_id is None
    assert record.learner_for_platform_user(987654) == learner


@pytest.mark.django_db
def test_a_service_the_runtime_provides_is_the_one_used(learner_user):
    from caregiving_course.learner_record.xblock_services import LearnerRecordService

    asked = []

    class Recording(LearnerRecordService):
        def module_state(self, learner, module_id):
            asked.append(module_id)
            return super().module_state(learner, module_id)

    runtime = HostRuntime(learner_user, caregiving_record=Recording())
    runtime.render(runtime.place("caregiving_module", module_id="alpha"), "student_view")
    assert asked == ["alpha"]


@pytest.mark.django_db
def test_the_progress_block_and_dashboard_through_the_installed_record(learner_user, make_user):
    runtime = HostRuntime(learner_user)
    html = runtime.render(runtime.place("caregiving_progress"), "student_view").body_html()
    assert "Test Badge" in html and "Why do I have" in html
    admin = make_user("admin@example.org", role="administrator")
    runtime = HostRuntime(admin)
    html = runtime.render(runtime.place("caregiving_dashboard"), "student_view").body_html()
    assert "fall-2026" in html and "learner@example.org" in html


def test_the_bridge_lends_its_roster_loader_to_the_record():
    from caregiving_course.learner_record import providers
    from lti_bridge import nrps

    loader, errors = providers.roster_loader()
    assert loader is nrps.load_roster and errors == (nrps.RosterError,)


@pytest.fixture
def no_record_app(monkeypatch):
    """A host where our apps are not installed (the stock workbench): the fallback finds nothing."""
    from django.apps import apps

    installed = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name != "caregiving_course.learner_record"
                        and installed(name))


@pytest.mark.parametrize("language, text", [
    ("en", "The caregiving learner record is not available on this platform"),
    ("fr", "Le dossier de l’apprenant du cours de soins n’est pas disponible sur cette plateforme"),
])
@pytest.mark.parametrize("block_type", ["caregiving_module", "caregiving_progress", "caregiving_dashboard"])
@pytest.mark.django_db
def test_without_any_record_every_block_says_so_in_the_readers_language(no_record_app, learner_user, block_type,
                                                                        language, text):
    runtime = HostRuntime(learner_user, language=language)
    block = runtime.place(block_type, **({"module_id": "alpha"} if block_type == "caregiving_module" else {}))
    with translation.override(language):
        html = runtime.render(block, "student_view").body_html()
    assert f'<p class="cg-unavailable" role="status">{text}' in html.replace("&#x27;", "'")


@pytest.mark.django_db
def test_without_any_record_handlers_answer_503_and_record_nothing(no_record_app, learner_user):
    runtime = HostRuntime(learner_user)
    module = runtime.place("caregiving_module", module_id="alpha")
    status, reply = runtime.call(module, "view_section", {"index": 0})
    assert status == 503 and "not available" in reply["error"]
    dashboard = runtime.place("caregiving_dashboard")
    assert runtime.call(dashboard, "table", {"cohort": "fall-2026"})[0] == 503
    assert runtime.events == []


def test_studio_warns_while_no_module_is_chosen():
    runtime = HostRuntime()
    block = runtime.place("caregiving_module")
    assert [m.text for m in block.validate().messages] == ["Choose the module this block presents."]
    block.module_id = "alpha"
    assert block.validate().empty
    block.module_id = "nope"
    assert [m.type for m in block.validate().messages] == ["error"]


def test_without_our_content_setting_the_blocks_show_the_courses_the_package_ships(settings):
    from caregiving_course.framework import catalogue, forget_catalogue, load_catalogue
    from caregiving_course.framework.catalogue import SHIPPED_CONTENT, SHIPPED_COURSES

    del settings.CONTENT_DIR
    forget_catalogue()
    try:
        shipped = load_catalogue([SHIPPED_CONTENT, *sorted(SHIPPED_COURSES.iterdir())])
        assert [m.id for m in catalogue().modules] == [m.id for m in shipped.modules]
        assert [c.id for c in catalogue().courses] == ["professional-practice-in-caregiving",
                                                       "mental-health-substance-use"]
        assert catalogue().has_module("caregiver-role") and not catalogue().has_module("alpha")
        block = HostRuntime().place("caregiving_module", module_id="caregiver-role")
        assert "caregiver" in block.runtime.render(block, "student_view").body_html().lower()
    finally:
        forget_catalogue()
