"""The XBlock runtime services of the learner record, for our blocks (``@XBlock.wants(name)``).

=====================  =====================================================================================
service name           object
=====================  =====================================================================================
``caregiving_record``  :class:`LearnerRecordService`: learners, hours and beats, sections, knowledge checks,
                       reflections, completion, module state, progress and its explanation, and the
                       instructor's side (cohorts, records, awards, the outbox's state)
``caregiving_badges``  :class:`BadgesService`: a learner's badges with their share and verify links
``caregiving_roster``  :class:`RosterService`: load a cohort's learners from its LMS (LTI NRPS)
=====================  =====================================================================================

Our runtime (``xblocks.runtime.CourseRuntime``) is given :func:`services`. A runtime that does not provide
them (the Open edX LMS has no hook for a plugin to add services) leaves the block to call :func:`service`,
which the block imports at call time, only when this app is installed. Each object is a thin layer over
:mod:`caregiving_course.learner_record.api`; badges and rosters come from what other apps registered in
:mod:`caregiving_course.learner_record.providers`.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from caregiving_course.learner_record import api, outbox, providers

RECORD = "caregiving_record"
BADGES = "caregiving_badges"
ROSTER = "caregiving_roster"


class LearnerRecordService:
    """The learner record's API as a block sees it; every call completes or raises ``RecordError``/``NotAllowed``."""

    RecordError = api.RecordError
    NotAllowed = api.NotAllowed
    INSTRUCTOR = api.INSTRUCTOR
    ADMINISTRATOR = api.ADMINISTRATOR

    # A learner's own record
    progress = staticmethod(api.progress)
    explain = staticmethod(api.explain)
    module_state = staticmethod(api.module_state)
    completion_check = staticmethod(api.completion_check)
    try_complete = staticmethod(api.try_complete)
    record_heartbeat = staticmethod(api.record_heartbeat)
    record_launch = staticmethod(api.record_launch)
    record_section_viewed = staticmethod(api.record_section_viewed)
    record_knowledge_check = staticmethod(api.record_knowledge_check)
    record_reflection = staticmethod(api.record_reflection)
    awards_of = staticmethod(api.awards_of)
    learner_course = staticmethod(api.learner_course)  # the catalogue as the learner's offerings see it

    # The instructor's side
    find_learner = staticmethod(api.find_learner)
    is_staff_for = staticmethod(api.is_staff_for)
    cohort_page = staticmethod(api.cohort_page)
    offering_course = staticmethod(api.offering_course)  # the catalogue as an offering sees it
    format_code = staticmethod(api.format_code)
    cohort_hours = staticmethod(api.cohort_hours)
    record_hours = staticmethod(api.record_hours)
    record_signoff = staticmethod(api.record_signoff)
    records_for = staticmethod(api.records_for)
    withdraw = staticmethod(api.withdraw)
    get_award = staticmethod(api.get_award)
    revoke = staticmethod(api.revoke)
    outbox_counts = staticmethod(outbox.counts)
    outbox_entries = staticmethod(outbox.entries)
    retry_delivery = staticmethod(outbox.retry)

    @staticmethod
    def learner_for_platform_user(user_id, username: str = ""):
        """The learner of the account the LMS's ``user`` service names (``edx-platform.user_id``): the learner of
        that Django account, since the LMS and the record share its database (so the cohorts, instructors and
        records of that account are the block's); where no such account exists here, the learner of the
        platform identity ``("openedx", user_id)``."""
        try:
            user = get_user_model().objects.filter(pk=user_id).first()
        except (TypeError, ValueError, ValidationError):
            user = None
        if user is not None:
            return api.learner_for_user(user)
        return api.learner_for_identity("openedx", str(user_id), name=username or "")

    @staticmethod
    def staff_view(user_id) -> tuple[object, str, list] | None:
        """``(user, role, cohorts)`` for an active instructor or administrator with this user id, else None."""
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id is not None else None
        role = api.role_of(user) if user is not None else ""
        if role not in (api.INSTRUCTOR, api.ADMINISTRATOR):
            return None
        return user, role, api.cohorts_for(user)

    @staticmethod
    def is_staff(user) -> bool:
        """Whether ``user`` (a Django user) is an instructor of any cohort or an administrator."""
        return api.role_of(user) in (api.INSTRUCTOR, api.ADMINISTRATOR)


class BadgesService:
    """A learner's badges, as the app that issues them lists them (the sync registers itself); none without it."""

    def badges_for(self, learner) -> list[dict]:
        """Each badge's ``title``, ``status``, ``url`` and ``verify_url`` (empty links until it is issued)."""
        lister = providers.badge_lister()
        return list(lister(learner) or []) if lister is not None else []

    def record_download_url(self) -> str:
        """Where the signed-in learner downloads their signed learner record; "" when no app offers one."""
        url = providers.record_download()
        return url() if url is not None else ""


class RosterService:
    """Loading a cohort's learners from its LMS, as the LTI bridge registers it."""

    RosterError = providers.RosterError

    def available(self) -> bool:
        return providers.roster_loader() is not None

    def load(self, cohort) -> providers.RosterResult:
        """Enrol the cohort's learners from the LMS roster; raises :class:`RosterError` with the reason."""
        registered = providers.roster_loader()
        if registered is None:
            raise providers.RosterError("no roster source is installed")
        loader, errors = registered
        try:
            result = loader(cohort)
        except errors as error:
            raise providers.RosterError(str(error)) from None
        return providers.RosterResult(enrolled=result.enrolled, skipped=result.skipped)


_SERVICES = {RECORD: LearnerRecordService(), BADGES: BadgesService(), ROSTER: RosterService()}


def services() -> dict[str, object]:
    """Every service of the record by name, to give a runtime."""
    return dict(_SERVICES)


def service(name: str):
    """The record's service ``name``, or None when it has none of that name."""
    return _SERVICES.get(name)
