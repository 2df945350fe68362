"""Translation helpers shared by the blocks.

Field labels are marked with :func:`_` (no translation at import time, as in the openedx blocks);
everything shown to a learner is translated at render time through the runtime's ``i18n`` service.
"""
from __future__ import annotations


def _(text: str) -> str:
    """Mark ``text`` for the catalogue; it is translated where it is shown."""
    return text


def format_duration(i18n, seconds: int) -> str:
    """'45 min' or '1 h 05 min', translated."""
    minutes = max(0, int(seconds)) // 60
    if minutes < 60:
        return i18n.gettext("{minutes} min").format(minutes=minutes)
    return i18n.gettext("{hours} h {minutes:02d} min").format(hours=minutes // 60, minutes=minutes % 60)


def format_hours(i18n, hours) -> str:
    """'1.5 h', translated (French writes '1,5 h')."""
    text = f"{hours.normalize():f}" if hasattr(hours, "normalize") else f"{hours:g}"
    return i18n.gettext("{hours} h").format(hours=text.replace(".", i18n.gettext(".")))
