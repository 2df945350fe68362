"""Times as people read them: in the installation's one named time zone (``settings.TIME_ZONE``, set by
``CAREGIVING_TIME_ZONE``, default America/Toronto as Django admin shows), with the zone's abbreviation
("2026-12-01 09:05 EST"). Machine-readable exports keep ISO 8601 with the offset (:func:`iso`)."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone


def _moment(value: dt.datetime | str | None) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return timezone.localtime(value)


def when(value: dt.datetime | str | None) -> str:
    """Date, time to the minute and the zone's abbreviation ('' for no time)."""
    moment = _moment(value)
    return moment.strftime("%Y-%m-%d %H:%M %Z") if moment else ""


def day(value: dt.datetime | str | None) -> str:
    """The date, in the installation's zone, on which ``value`` happened ('' for no time)."""
    moment = _moment(value)
    return moment.date().isoformat() if moment else ""


def iso(value: dt.datetime | str | None) -> str:
    """ISO 8601 with the zone's offset, to the second ('' for no time): for CSV and JSON."""
    moment = _moment(value)
    return moment.isoformat(timespec="seconds") if moment else ""


def zone_name() -> str:
    """The installation's zone, as configured (e.g. 'America/Toronto')."""
    return str(timezone.get_current_timezone())
