"""Rendering the dashboard's templates (``xblocks/templates/dashboard*.html``) with the block's translations.

Templates use Django's ``{% trans %}`` / ``{% blocktrans %}`` (so ``makemessages`` finds their text) through
XBlock's i18n tag library, which merges the block's i18n service catalogue (ours in our server, the
platform's in Open edX). The engine and its parsed templates are built once.
"""
from __future__ import annotations

from pathlib import Path

from django.template import Context, Engine

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ENGINE = Engine(
    dirs=[str(TEMPLATES)],
    libraries={"i18n": "xblock.utils.templatetags.i18n"},
    loaders=[("django.template.loaders.cached.Loader", ["django.template.loaders.filesystem.Loader"])],
    autoescape=True,
)


def render(template: str, context: dict, i18n) -> str:
    """Render ``template`` with ``context``; ``i18n`` is the XBlock i18n service."""
    return ENGINE.get_template(template).render(Context({**context, "_i18n_service": i18n}))


def _(text: str) -> str:
    """Mark ``text`` for translation where it is defined; it is translated where it is shown."""
    return text
