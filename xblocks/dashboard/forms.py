"""The dashboard's forms: each request body is checked field by field before the learner record is asked.

A :class:`FormError` carries one translated reason per field, shown next to that field; nothing has been
changed when it is raised. The learner record checks the same rules again (and stays the authority).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from caregiving_course.framework import Component, Course
from xblocks.dashboard.render import _

MAX_HOURS = Decimal(24)  # the most one record may hold (the learner record refuses more)
MAX_NOTE = 500
MAX_REASON = 500
EARLIEST = dt.date(2000, 1, 1)


class FormError(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Fields:
    """Reads a JSON object's fields, collecting one error per field."""

    def __init__(self, data: dict, allowed: set[str], gettext) -> None:
        self.data, self.gettext, self.errors = data, gettext, {}
        unknown = sorted(set(data) - allowed)
        if unknown:
            self.errors["form"] = gettext("Unexpected field: %(name)s") % {"name": ", ".join(unknown)[:100]}

    def fail(self, name: str, message: str, **values) -> None:
        self.errors.setdefault(name, self.gettext(message) % values if values else self.gettext(message))

    def text(self, name: str, *, required: bool, max_len: int, message: str) -> str:
        value = self.data.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str) or len(value) > max_len or (required and not value.strip()):
            self.fail(name, message, max=max_len)
            return ""
        return value.strip()

    def check(self) -> None:
        if self.errors:
            raise FormError(self.errors)


def instructor_components(course: Course, evidence: str) -> list[Component]:
    """Instructor-led components recorded as ``evidence`` ("hours" or "signoff"), each once, in course order."""
    seen: dict[str, Component] = {}
    for cred in course.credentials:
        for comp in cred.components:
            if comp.evidence == evidence and comp.id not in seen:
                seen[comp.id] = comp
    return list(seen.values())


def _hours(f: Fields) -> Decimal | None:
    raw = f.data.get("hours")
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)) or (isinstance(raw, str) and len(raw) > 20):
        f.fail("hours", _("Enter the number of hours, for example 2.5."))
        return None
    try:
        hours = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        f.fail("hours", _("Enter the number of hours, for example 2.5."))
        return None
    if not hours.is_finite() or hours <= 0:
        f.fail("hours", _("Hours must be more than 0."))
    elif hours > MAX_HOURS:
        f.fail("hours", _("One record holds at most %(max)s hours; record each day separately."), max=MAX_HOURS)
    elif hours != hours.quantize(Decimal("0.01")):
        f.fail("hours", _("Use at most two decimals."))
    else:
        return hours
    return None


def _date(f: Fields) -> dt.date | None:
    raw = f.data.get("date", "")
    if raw in ("", None):
        return timezone.localdate()
    try:
        day = dt.date.fromisoformat(raw) if isinstance(raw, str) and len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        f.fail("date", _("Enter the date as YYYY-MM-DD."))
    elif day > timezone.localdate():
        f.fail("date", _("The date cannot be in the future."))
    elif day < EARLIEST:
        f.fail("date", _("The date is too far in the past."))
    else:
        return day
    return None


REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def hours_form(data: dict, course: Course, gettext) -> dict:
    """``request_id`` (optional) names one submission of the form, so a replay can be recognised."""
    f = Fields(data, {"learner_id", "component", "hours", "date", "note", "request_id"}, gettext)
    request_id = data.get("request_id", "")
    if request_id != "" and (not isinstance(request_id, str) or not REQUEST_ID.match(request_id)):
        f.fail("form", _("This form is out of date; reload the page."))
    component = data.get("component")
    if component not in {c.id for c in instructor_components(course, "hours")}:
        f.fail("component", _("Choose a component that is recorded in hours."))
    hours, day = _hours(f), _date(f)
    note = f.text("note", required=False, max_len=MAX_NOTE, message=_("The note is at most %(max)s characters."))
    f.check()
    return {"component": component, "hours": hours, "on": day, "note": note, "request_id": request_id}


def signoff_form(data: dict, course: Course, gettext) -> dict:
    f = Fields(data, {"learner_id", "component", "skill"}, gettext)
    skills = {c.id: c.skills for c in instructor_components(course, "signoff")}
    component, skill = data.get("component"), data.get("skill")
    if component not in skills:
        f.fail("component", _("Choose a component that is signed off skill by skill."))
    elif skill not in skills[component]:
        f.fail("skill", _("Choose one of this component's skills."))
    f.check()
    return {"component": component, "skill": skill}


def reason_form(data: dict, id_field: str, gettext) -> dict:
    """Withdraw a record (``record_id``) or revoke an award (``award_id``): both need a reason."""
    f = Fields(data, {"learner_id", id_field, "reason"}, gettext)
    reason = f.text("reason", required=True, max_len=MAX_REASON,
                    message=_("Give a reason (at most %(max)s characters)."))
    ident = data.get(id_field)
    if id_field == "record_id" and (isinstance(ident, bool) or not isinstance(ident, int) or ident <= 0):
        f.fail("form", _("This record does not exist."))
    if id_field == "award_id" and (not isinstance(ident, str) or not 0 < len(ident) <= 64):
        f.fail("form", _("This award does not exist."))
    f.check()
    return {id_field: ident, "reason": reason}
