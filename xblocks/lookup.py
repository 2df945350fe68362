"""Where a block finds the services it wants: from its runtime, else from our installed Django app, else nowhere.

Blocks declare ``@XBlock.wants(RECORD)`` (and ``BADGES``, ``ROSTER``) and call :func:`service`. Our runtime
provides the services; the Open edX LMS builds its runtime's services from a fixed list with no hook for a
plugin to add one (``lms/djangoapps/courseware/block_render.py``), so there the block falls back to the
learner record app's services, imported when first asked (never when the block is imported) and only when
that app is installed, as edx-ora2 does with its submissions app. With neither (the stock XBlock workbench)
:func:`service` answers None and the block shows :func:`unavailable_html` instead.
"""
from __future__ import annotations

from django.utils.html import format_html

RECORD = "caregiving_record"
BADGES = "caregiving_badges"
ROSTER = "caregiving_roster"
RECORD_APP = "caregiving_course.learner_record"


def service(block, name: str):
    """The service ``name`` (one the block wants) from the block's runtime or the installed learner record; or None."""
    provided = block.runtime.service(block, name)
    if provided is not None:
        return provided
    from django.apps import apps

    if not apps.ready or not apps.is_installed(RECORD_APP):
        return None
    from caregiving_course.learner_record import xblock_services

    return xblock_services.service(name)


def unavailable_html(i18n) -> str:
    """The message a block shows where no learner record is available (translated with the runtime's ``i18n``)."""
    return format_html('<p class="cg-unavailable" role="status">{}</p>', i18n.gettext(
        "The caregiving learner record is not available on this platform, so your progress cannot be shown "
        "or recorded here. Ask the site's administrator to install the caregiving-course apps."))
