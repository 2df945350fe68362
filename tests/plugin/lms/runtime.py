"""An XBlock runtime with the services the Open edX LMS gives a block, and none of ours.

``user`` is the LMS's user service as a block sees it (an ``XBlockUser`` whose ``opt_attrs`` carry
``edx-platform.user_id``, ``edx-platform.username``, ``edx-platform.is_authenticated`` and
``edx-platform.user_is_staff``), ``i18n`` reads the block package's ``translations/<lang>/LC_MESSAGES/text.mo``
as the LMS's ``ModuleI18nService`` does, ``settings`` hands out ``XBLOCK_SETTINGS`` buckets, and ``publish``
keeps every event (``completion``, ``grade``) as the LMS's completion and grades handlers would receive them.
No learner-record, badges or roster service: the blocks must find our installed apps themselves.
"""
from __future__ import annotations

import gettext
import importlib
import json
from pathlib import Path

import webob
from django.conf import settings
from django.utils import translation
from xblock.fields import ScopeIds
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import DictKeyValueStore, KvsFieldData, MemoryIdManager, Runtime


class LmsUserService(UserService):
    """The current user as edx-platform's ``DjangoXBlockUserService`` describes it."""

    def __init__(self, user) -> None:
        xuser = XBlockUser(is_current_user=True, emails=[user.email], full_name=user.get_full_name())
        xuser.opt_attrs.update({
            "edx-platform.is_authenticated": True,
            "edx-platform.user_id": user.pk,
            "edx-platform.username": user.get_username(),
            "edx-platform.user_is_staff": user.is_staff,
            "edx-platform.user_role": "instructor" if user.is_staff else "student",
        })
        super().__init__(user=xuser)

    def get_current_user(self) -> XBlockUser:
        return self._user


class LmsI18nService:
    """The block package's own catalogue in the active language, as edx-platform's ``ModuleI18nService``."""

    def __init__(self, block) -> None:
        package = importlib.import_module(block.unmixed_class.__module__.rsplit(".", 1)[0])
        localedir = Path(package.__file__).resolve().parent / "translations"
        language = translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)
        self.translator = gettext.translation("text", localedir=str(localedir), languages=[language], fallback=True)

    def __getattr__(self, name: str):
        return getattr(self.translator, name)

    def ugettext(self, message: str) -> str:
        return self.translator.gettext(message)

    def ungettext(self, singular: str, plural: str, number: int) -> str:
        return self.translator.ngettext(singular, plural, number)


class LmsSettingsService:
    """``XBLOCK_SETTINGS`` buckets, keyed by the block's ``block_settings_key`` or class name."""

    def get_settings_bucket(self, block, default=None) -> dict:
        key = getattr(block, "block_settings_key", block.unmixed_class.__name__)
        return settings.XBLOCK_SETTINGS.get(key, default if default is not None else {})


class LmsStyleRuntime(Runtime):
    """One user's runtime: blocks in memory, handlers called with WebOb requests, events kept in ``published``."""

    def __init__(self, user) -> None:
        ids = MemoryIdManager()
        self.user = user
        self.published: list[tuple[str, str, dict]] = []
        self._user_service = LmsUserService(user)
        super().__init__(id_reader=ids, id_generator=ids, field_data=KvsFieldData(DictKeyValueStore()),
                         services={"user": self._user_service, "settings": LmsSettingsService()})

    def service(self, block, service_name: str):
        if service_name == "i18n":
            return LmsI18nService(block)
        return super().service(block, service_name)

    def place(self, block_type: str, **fields):
        """A block of ``block_type`` with its authored ``fields``, as the LMS loads it from the modulestore."""
        definition = self.id_generator.create_definition(block_type)
        usage = self.id_generator.create_usage(definition)
        block = self.construct_xblock(block_type, ScopeIds(str(self.user.pk), block_type, definition, usage))
        for name, value in fields.items():
            setattr(block, name, value)
        block.save()
        return block

    def call(self, block, handler: str, payload: dict) -> tuple[int, dict]:
        """Call a JSON handler as the block's JavaScript does."""
        request = webob.Request.blank("/", method="POST", body=json.dumps(payload).encode(),
                                      content_type="application/json")
        response = self.handle(block, handler, request)
        return response.status_code, json.loads(response.body or b"null")

    def html(self, block, view: str = "student_view") -> str:
        return self.render(block, view, {}).body_html()

    # What the LMS's runtime answers; the URLs are the LMS's shapes (never requested in these tests).
    def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False) -> str:
        return f"/courses/course-v1:Test+CG+1/xblock/{block.scope_ids.usage_id}/handler/{handler_name}/{suffix}"

    def resource_url(self, resource) -> str:
        return f"/static/{resource}"

    def local_resource_url(self, block, uri) -> str:
        return f"/xblock/resource/{block.scope_ids.block_type}/{uri}"

    def publish(self, block, event_type, event_data) -> None:
        self.published.append((block.scope_ids.block_type, event_type, event_data))
