"""The XBlock services our runtime provides: ``i18n``, ``user`` and ``settings``."""
from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import translation
from xblock.reference.user_service import UserService, XBlockUser

LOCALE_DIR = Path(__file__).resolve().parent / "translations"  # where Open edX looks for an XBlock's text.mo
DOMAIN = "text"

# Keys of XBlockUser.opt_attrs that our runtime sets besides the edx-platform ones.
LEARNER_ATTR = "caregiving.learner"
STAFF_ATTR = "caregiving.is_staff"
RUNTIME_ATTR = "caregiving.runtime"
CHANNEL_ATTR = "caregiving.launch_channel"  # how the page reached us: "local" (our site) or "lti"


@lru_cache(maxsize=8)
def _catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[translation.to_locale(language)],
                               fallback=True)


class I18nService:
    """Translations of the xblocks package (``translations/<lang>/LC_MESSAGES/text.mo``) in the active language.

    Exposes the ``gettext`` family and the catalogue (``_catalog``) that XBlock's template tags merge.
    A runtime serves one request, so the language is looked up once, when first needed: the one
    the request was given (``LANGUAGE_CODE``, set by Django's locale middleware), else Django's active
    language (asking Django for it costs more than translating a message).
    """

    _chosen: gettext.NullTranslations | None = None

    def __init__(self, language: str | None = None) -> None:
        self._language = language

    @property
    def _translator(self) -> gettext.NullTranslations:
        if self._chosen is None:
            self._chosen = _catalogue(self._language or translation.get_language() or settings.LANGUAGE_CODE)
        return self._chosen

    def gettext(self, message: str) -> str:
        return self._translator.gettext(message)

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        return self._translator.ngettext(singular, plural, number)

    ugettext, ungettext = gettext, ngettext

    def __getattr__(self, name: str):
        return getattr(self._translator, name)


class CurrentUserService(UserService):
    """The signed-in user, with the learner the runtime resolved for them (never one named by a request)."""

    def __init__(self, user, learner, *, is_staff, channel: str = "local") -> None:
        authenticated = bool(user is not None and user.is_authenticated)
        if authenticated:  # each attribute once: request.user is a lazy proxy, and every read goes through it
            pk, email, username, full_name = user.pk, user.email, user.get_username(), user.get_full_name()
        else:
            pk = email = username = full_name = None
        xuser = XBlockUser(is_current_user=True, emails=[email] if email else [], full_name=full_name or username)
        xuser.opt_attrs.update({
            "edx-platform.is_authenticated": authenticated,
            "edx-platform.user_id": pk,
            "edx-platform.username": username,
            "edx-platform.user_is_staff": is_staff,
            LEARNER_ATTR: learner,
            STAFF_ATTR: is_staff,
            RUNTIME_ATTR: True,
            CHANNEL_ATTR: channel,
        })
        super().__init__(user=xuser)

    def get_current_user(self) -> XBlockUser:
        return self._user


class SettingsService:
    """Server-wide settings per block type, from ``settings.XBLOCK_SETTINGS`` (as in Open edX)."""

    def get_settings_bucket(self, block, default=None) -> dict:
        return self.bucket(getattr(block, "block_settings_key", block.unmixed_class.__name__), default)

    @staticmethod
    def bucket(name: str, default=None) -> dict:
        """The settings of the bucket ``name`` (a block type's ``block_settings_key``), without a block."""
        return getattr(settings, "XBLOCK_SETTINGS", {}).get(name, default if default is not None else {})
