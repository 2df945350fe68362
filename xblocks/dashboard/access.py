"""Who is looking at the dashboard, and what they may see: instructors their cohorts, administrators all.

Everything is asked of the learner-record service (``caregiving_record``, see :mod:`xblocks.lookup`), which the
viewer carries for the handlers.
"""
from __future__ import annotations

from dataclasses import dataclass

from xblocks.dashboard.render import _
from xblocks.handlers import current_user_attrs


class Refused(Exception):
    """The acting user may not do this (answered 403 with ``reason``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Viewer:
    user: object
    role: str  # record.INSTRUCTOR or record.ADMINISTRATOR
    cohorts: tuple  # the learner record's cohorts this viewer may see
    record: object  # the learner-record service

    @property
    def is_admin(self) -> bool:
        return self.role == self.record.ADMINISTRATOR

    def cohort(self, name: str | None):
        """The cohort ``name`` if this viewer may see it, else the first they may see (None: none at all)."""
        for cohort in self.cohorts:
            if cohort.name == name:
                return cohort
        return self.cohorts[0] if self.cohorts else None

    def require_cohort(self, name):
        if not isinstance(name, str):
            raise Refused(_("Choose one of your cohorts."))
        for cohort in self.cohorts:
            if cohort.name == name:
                return cohort
        raise Refused(_("You do not teach this cohort."))


def viewer_of(block, record) -> Viewer | None:
    """The staff viewer behind this request, or None for a learner or an anonymous visitor.

    The user is the one the runtime's ``user`` service names (ours and Open edX both say ``edx-platform.user_id``).
    """
    attrs = current_user_attrs(block)
    user_id = attrs.get("edx-platform.user_id")
    if not attrs.get("edx-platform.is_authenticated", user_id is not None) or user_id is None:
        return None
    found = record.staff_view(user_id)
    if found is None:
        return None
    user, role, cohorts = found
    return Viewer(user, role, tuple(cohorts), record)


def require_learner(viewer: Viewer, learner_id):
    """A learner of one of the viewer's cohorts; anything else is refused the same way (no probing)."""
    if isinstance(learner_id, bool) or not isinstance(learner_id, int) or not 0 < learner_id < 2**63:
        raise Refused(_("No such learner in your cohorts."))
    try:
        learner = viewer.record.find_learner(learner_id)
    except viewer.record.RecordError:
        raise Refused(_("No such learner in your cohorts.")) from None
    if not viewer.record.is_staff_for(viewer.user, learner):
        raise Refused(_("No such learner in your cohorts."))
    return learner
