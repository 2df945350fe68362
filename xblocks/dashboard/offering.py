"""The offering a dashboard shows: its courses, dates, delivery, whether it is open, and the enrolment code and
link its instructors share with a partner's learners."""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from xblocks.dashboard.render import _

DELIVERY_NAMES = {"self-paced": _("Self-paced"), "instructor-led": _("Instructor-led"), "blended": _("Blended"),
                  "face-to-face": _("Face to face")}


def enrol_link(code: str) -> str:
    """The page that enrols the signed-in learner with ``code`` ('' in a host without it, such as Open edX)."""
    try:
        return reverse("enrol-code", args=[code])
    except NoReverseMatch:
        return ""


def offering_context(record, cohort, course, gettext) -> dict:
    """What the dashboard says about ``cohort`` (in the language of ``gettext``)."""
    language = get_language()
    return {
        "courses": [{"title": c.text(language)[0], "lang": c.language_of(None, language)} for c in course.courses],
        "starts": cohort.starts_on.isoformat() if cohort.starts_on else "",
        "ends": cohort.ends_on.isoformat() if cohort.ends_on else "",
        "delivery": gettext(DELIVERY_NAMES.get(cohort.delivery, cohort.delivery)),
        "open": cohort.open_enrolment,
        "code": record.format_code(cohort.enrolment_code),
        "link": enrol_link(cohort.enrolment_code),
    }
