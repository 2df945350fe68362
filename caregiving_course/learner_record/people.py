"""Learners and their identities, cohorts, instructors and roles."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.functional import SimpleLazyObject

from caregiving_course.framework import catalogue
from caregiving_course.learner_record.errors import NotAllowed, RecordError
from caregiving_course.learner_record.models import Cohort, Enrolment, Identity, Learner
from caregiving_course.learner_record.names import check_cohort_name, clean_person_name

LEARNER, INSTRUCTOR, ADMINISTRATOR = "learner", "instructor", "administrator"
ROLES = (LEARNER, INSTRUCTOR, ADMINISTRATOR)


def learner_for_identity(source: str, subject: str, *, issuer: str = "", name: str = "",
                         email: str = "", user=None) -> Learner:
    """The learner a source system knows as (issuer, subject), created on first sight.

    Identities are matched exactly; two sources that share an e-mail stay two learners.
    """
    if source not in dict(Identity.SOURCES):
        raise RecordError(f"unknown identity source {source!r}")
    if not subject or len(subject) > 255 or len(issuer) > 255:
        raise RecordError("an identity needs a subject of 1 to 255 characters")
    found = Identity.objects.select_related("learner").filter(source=source, issuer=issuer, subject=subject).first()
    if found:
        learner = found.learner
        if user is not None and learner.user_id is None:  # first known from a roster, now launching in person
            Learner.objects.filter(pk=learner.pk, user__isnull=True).update(user=user)
            learner.refresh_from_db()
        return learner
    try:
        with transaction.atomic():
            learner = Learner.objects.create(user=user, name=clean_person_name(name), email=email[:254])
            Identity.objects.create(learner=learner, source=source, issuer=issuer, subject=subject)
            return learner
    except IntegrityError:  # another request created it first
        return Identity.objects.select_related("learner").get(source=source, issuer=issuer, subject=subject).learner


def learner_for_user(user) -> Learner:
    """The learner behind a local (Django) user account, created on first use."""
    learner = Learner.objects.filter(user=user).first()
    if learner:
        return learner
    return learner_for_identity(Identity.LOCAL, str(user.pk), name=user.get_full_name() or user.get_username(),
                                email=user.email, user=user)


def find_learner(reference: str | int) -> Learner:
    """A learner by id, e-mail or username (for the CLI); RecordError names what was not found."""
    text = str(reference).strip()
    learner = None
    if text.isdigit():
        learner = Learner.objects.filter(pk=int(text)).first()
    if learner is None:
        learner = (Learner.objects.filter(user__username=text).first()
                   or Learner.objects.filter(email__iexact=text).order_by("pk").first())
    if learner is None:
        raise RecordError(f"no learner {text!r} (give an id, username or e-mail; see 'caregiving user list')")
    return learner


class _LearnerById(SimpleLazyObject):
    """A learner whose id is known; the row is read only when something more than the id is asked for."""

    def __init__(self, learner_id: int) -> None:
        super().__init__(lambda: find_learner(learner_id))
        self.__dict__["pk"] = self.__dict__["id"] = learner_id  # read as attributes of the proxy, loading nothing


def learner_by_id(learner_id: int) -> Learner:
    """The learner with this id, read from the database only when more than its id is needed.

    For ids this server signed itself (a block's handler token): a heartbeat needs only the id. If the
    learner was deleted since, reading it raises RecordError, and so does recording anything for it.
    """
    if isinstance(learner_id, bool) or not isinstance(learner_id, int):
        raise RecordError(f"a learner id is a whole number, not {learner_id!r}")
    return _LearnerById(learner_id)


def role_of(user) -> str:
    if user is None or not user.is_authenticated:
        return ""
    if user.is_superuser:
        return ADMINISTRATOR
    if user.taught_cohorts.exists():
        return INSTRUCTOR
    return LEARNER


def is_staff_for(user, learner: Learner) -> bool:
    """True when ``user`` teaches a cohort ``learner`` is in, or administers the system."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Enrolment.objects.filter(learner=learner, cohort__instructors=user).exists()


def check_can_view(user, learner: Learner) -> None:
    """Learners see their own record, instructors their cohorts', administrators all."""
    if learner.user_id is not None and learner.user_id == getattr(user, "pk", None):
        return
    if not is_staff_for(user, learner):
        raise NotAllowed("you may only see your own record or those of cohorts you teach")


def cohorts_for(user) -> list[Cohort]:
    """Cohorts ``user`` may see as staff: all for administrators, taught ones for instructors."""
    if user is None or not user.is_authenticated:
        return []
    rows = Cohort.objects.all() if user.is_superuser else user.taught_cohorts.all()
    return list(rows.order_by("name"))


def cohort_exists(name: str) -> bool:
    """Whether a cohort of that name exists."""
    return Cohort.objects.filter(name=name).exists()


def ensure_cohort(name: str, title: str = "") -> Cohort:
    """The cohort called ``name`` (a slug: :func:`names.check_cohort_name`), created on first use as an offering
    of the catalogue's first course (see :mod:`offerings` for the others)."""
    check_cohort_name(name)
    cohort, _ = Cohort.objects.get_or_create(name=name, defaults={"title": clean_person_name(title) or name,
                                                                  "courses": [catalogue().courses[0].id]})
    return cohort


def enrol(learner: Learner, cohort: Cohort) -> None:
    Enrolment.objects.get_or_create(learner=learner, cohort=cohort)


def add_instructor(cohort: Cohort, user) -> None:
    """Let ``user`` teach ``cohort`` (see its learners' records and record their evidence)."""
    cohort.instructors.add(user)


def add_user(email: str, role: str, *, cohort: str | None = None, password: str | None = None,
             name: str = "") -> object:
    """Create (or update) a local account with a role, optionally in a cohort. Used by the CLI."""
    if role not in ROLES:
        raise RecordError(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email or len(email) > 254:
        raise RecordError(f"{email!r} is not an e-mail address")
    if role == INSTRUCTOR and not cohort:
        raise RecordError("an instructor needs --cohort NAME (the cohort they teach)")
    User = get_user_model()
    with transaction.atomic():
        user, _ = User.objects.get_or_create(username=email.lower(), defaults={"email": email.lower()})
        if name:
            user.first_name = clean_person_name(name, 150)
        if password:
            user.set_password(password)
        elif not user.has_usable_password():
            user.set_unusable_password()
        user.is_superuser = user.is_staff = role == ADMINISTRATOR
        user.save()
        if cohort:
            group = ensure_cohort(cohort)
            if role == INSTRUCTOR:
                group.instructors.add(user)
            else:
                enrol(learner_for_user(user), group)
        elif role == LEARNER:
            learner_for_user(user)
    return user


def change_user(email: str, *, role: str | None = None, cohort: str | None = None, name: str = "") -> list[str]:
    """Change only what is asked of an existing account (its role, a cohort, its name); never its password.

    Returns one short phrase per change made (empty when nothing changed). RecordError when there is no such
    account or the change breaks a rule (an instructor needs a cohort to teach).
    """
    User = get_user_model()
    if role is not None and role not in ROLES:
        raise RecordError(f"role must be one of {', '.join(ROLES)}")
    changes: list[str] = []
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=email.lower()).first()
        if user is None:
            raise RecordError(f"no account {email!r} (see 'caregiving user list')")
        was = role_of(user)
        target = role or was
        if role == INSTRUCTOR and not cohort and was != INSTRUCTOR:
            raise RecordError("an instructor needs --cohort NAME (the cohort they teach)")
        if name and name[:150] != user.first_name:
            user.first_name = name[:150]
            changes.append(f"name set to {user.first_name!r}")
        if role is not None and role != was:
            user.is_superuser = user.is_staff = role == ADMINISTRATOR
            if role == LEARNER:
                dropped = sorted(user.taught_cohorts.values_list("name", flat=True))
                user.taught_cohorts.clear()
                if dropped:
                    changes.append(f"no longer teaches {', '.join(dropped)}")
            changes.append(f"role {role} (was {was})")
        if changes:
            user.save()  # through the ORM, so a shared user cache drops the account at once
        if cohort:
            group = ensure_cohort(cohort)
            if target == INSTRUCTOR:
                if not group.instructors.filter(pk=user.pk).exists():
                    group.instructors.add(user)
                    changes.append(f"now teaches cohort {cohort}")
            else:
                learner = learner_for_user(user)
                _, joined = Enrolment.objects.get_or_create(learner=learner, cohort=group)
                if joined:
                    changes.append(f"joined cohort {cohort}")
    return changes


def set_password(email: str, password: str) -> None:
    """Replace the password of an existing account (validated by the installation's password rules)."""
    from django.contrib.auth import password_validation
    from django.core.exceptions import ValidationError

    user = get_user_model().objects.filter(username=email.lower()).first()
    if user is None:
        raise RecordError(f"no account {email!r} (see 'caregiving user list')")
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise RecordError(" ".join(exc.messages)) from None
    user.set_password(password)
    user.save(update_fields=["password"])
