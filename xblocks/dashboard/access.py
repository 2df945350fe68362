"""Who is looking at the dashboard, and what they may see: instructors their cohorts, administrators all."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from caregiving_course.learner_record import api
from caregiving_course.learner_record.models import Cohort
from xblocks.dashboard.render import _


class Refused(Exception):
    """The acting user may not do this (answered 403 with ``reason``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Viewer:
    user: object
    role: str  # api.INSTRUCTOR or api.ADMINISTRATOR
    cohorts: tuple[Cohort, ...]

    @property
    def is_admin(self) -> bool:
        return self.role == api.ADMINISTRATOR

    def cohort(self, name: str | None) -> Cohort | None:
        """The cohort ``name`` if this viewer may see it, else the first they may see (None: none at all)."""
        for cohort in self.cohorts:
            if cohort.name == name:
                return cohort
        return self.cohorts[0] if self.cohorts else None

    def require_cohort(self, name) -> Cohort:
        if not isinstance(name, str):
            raise Refused(_("Choose one of your cohorts."))
        for cohort in self.cohorts:
            if cohort.name == name:
                return cohort
        raise Refused(_("You do not teach this cohort."))


def django_user(block):
    """The Django user the runtime signed in (ours and Open edX both name it ``edx-platform.user_id``)."""
    service = block.runtime.service(block, "user")
    current = service.get_current_user() if service else None
    attrs = current.opt_attrs if current is not None else {}
    user_id = attrs.get("edx-platform.user_id")
    if not attrs.get("edx-platform.is_authenticated", user_id is not None) or user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def viewer_of(block) -> Viewer | None:
    """The staff viewer behind this request, or None for a learner or an anonymous visitor."""
    user = django_user(block)
    role = api.role_of(user) if user is not None else ""
    if role not in (api.INSTRUCTOR, api.ADMINISTRATOR):
        return None
    return Viewer(user, role, tuple(api.cohorts_for(user)))


def require_learner(viewer: Viewer, learner_id):
    """A learner of one of the viewer's cohorts; anything else is refused the same way (no probing)."""
    if isinstance(learner_id, bool) or not isinstance(learner_id, int) or not 0 < learner_id < 2**63:
        raise Refused(_("No such learner in your cohorts."))
    try:
        learner = api.find_learner(learner_id)
    except api.RecordError:
        raise Refused(_("No such learner in your cohorts.")) from None
    if not api.is_staff_for(viewer.user, learner):
        raise Refused(_("No such learner in your cohorts."))
    return learner
