"""Tables of the learner record. Only this app's modules read or write them."""
from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models


class Learner(models.Model):
    """A person taking the course, whatever system they came from (see :class:`Identity`)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="learner")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    show_name_on_badges = models.BooleanField(default=False)  # the learner's choice: their name on badge pages

    def __str__(self) -> str:
        return self.name or self.email or f"learner {self.pk}"


class Identity(models.Model):
    """How a source system names a learner. Identities are never merged by e-mail alone."""

    LOCAL, LTI, OPENEDX = "local", "lti", "openedx"
    SOURCES = [(LOCAL, "Local account"), (LTI, "LTI platform"), (OPENEDX, "Open edX")]
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="identities")
    source = models.CharField(max_length=16, choices=SOURCES)
    issuer = models.CharField(max_length=255, blank=True, default="")
    subject = models.CharField(max_length=255)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "issuer", "subject"], name="identity_unique")]


def new_enrolment_code() -> str:
    """A fresh enrolment code: 12 characters from 31 unambiguous ones (about 59 random bits)."""
    return "".join(secrets.choice(ENROLMENT_CODE_ALPHABET) for _ in range(ENROLMENT_CODE_LENGTH))


ENROLMENT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed
ENROLMENT_CODE_LENGTH = 12


class Cohort(models.Model):
    """An offering: a class of learners taking one or more courses, with the instructors who teach it, its
    dates, how it is delivered, whether learners may enrol themselves, and the code that lets them join."""

    SELF_PACED, INSTRUCTOR_LED, BLENDED, FACE_TO_FACE = "self-paced", "instructor-led", "blended", "face-to-face"
    DELIVERIES = [(SELF_PACED, "Self-paced"), (INSTRUCTOR_LED, "Instructor-led"), (BLENDED, "Blended"),
                  (FACE_TO_FACE, "Face to face")]
    name = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200, blank=True)
    instructors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="taught_cohorts", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    courses = models.JSONField(default=list)  # ids of the catalogue's courses it offers, in order
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    delivery = models.CharField(max_length=16, choices=DELIVERIES, default=SELF_PACED)
    open_enrolment = models.BooleanField(default=False)  # listed on the catalogue page: learners enrol themselves
    enrolment_code = models.CharField(max_length=ENROLMENT_CODE_LENGTH, unique=True, default=new_enrolment_code)

    def __str__(self) -> str:
        return self.title or self.name


class Enrolment(models.Model):
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="enrolments")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments")
    enrolled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "cohort"], name="enrolment_unique")]


class ActivityClock(models.Model):
    """Per-learner server clock for heartbeats: one row, locked while a beat is credited.

    ``tabs`` maps each open tab (or device) id to the last sequence number seen from it.
    """

    learner = models.OneToOneField(Learner, on_delete=models.CASCADE, primary_key=True, related_name="clock")
    last_beat_at = models.DateTimeField(null=True)
    tabs = models.JSONField(default=dict)
    spans = models.JSONField(default=dict)  # module id -> [open ActiveSpan id, its end], so beats extend it blind


class ModuleActivity(models.Model):
    """Running totals for one learner in one module: time on task, sections seen, best score."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="module_activity")
    module_id = models.CharField(max_length=64)
    seconds = models.PositiveIntegerField(default=0)
    sections_viewed = models.JSONField(default=list)
    best_score = models.FloatField(null=True)
    attempts = models.PositiveIntegerField(default=0)
    reflection = models.TextField(blank=True)
    first_activity_at = models.DateTimeField(null=True)
    last_activity_at = models.DateTimeField(null=True)
    # Where the learner first opened the module: "local" (our site), "lti" or "openedx"; "" if never seen.
    launched_via = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "module_id"], name="module_activity_unique")]


class ActiveSpan(models.Model):
    """A stretch of time the server observed a learner active in a module (the trace behind time on task)."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="spans")
    module_id = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    seconds = models.PositiveIntegerField(default=0)
    beats = models.PositiveIntegerField(default=0)

    class Meta:
        # By start, which a beat never changes: extending a span rewrites no index entry.
        indexes = [models.Index(fields=["learner", "module_id", "started_at"])]


class ModuleCompletion(models.Model):
    """A completed module: credits its designed hours toward credentials."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="completions")
    module_id = models.CharField(max_length=64)
    score = models.FloatField()
    credited_hours = models.DecimalField(max_digits=7, decimal_places=2)
    time_on_task_seconds = models.PositiveIntegerField()
    completed_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "module_id"], name="completion_unique")]


class InstructorRecord(models.Model):
    """Instructor-led evidence: hours attended or a skill signed off, with who recorded it and when."""

    HOURS, SIGNOFF = "hours", "signoff"
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="instructor_records")
    component_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=[(HOURS, "Hours"), (SIGNOFF, "Skill sign-off")])
    hours = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    skill = models.CharField(max_length=64, blank=True)
    occurred_on = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    withdraw_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["learner", "component_id"])]


class Award(models.Model):
    """A credential earned by a learner, with the evidence that earned it. One per learner and credential."""

    EARNED, REVOKED = "earned", "revoked"
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="awards")
    credential_id = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=[(EARNED, "Earned"), (REVOKED, "Revoked")], default=EARNED)
    credited_hours = models.DecimalField(max_digits=7, decimal_places=2)
    evidence = models.JSONField()
    earned_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    revoke_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "credential_id"], name="award_unique")]


class OutboxEntry(models.Model):
    """Something that must reach another system, written in the transaction of the fact that caused it.

    Workers claim due rows (``SKIP LOCKED`` where the database has it) under a lease; delivery is
    at-least-once and each handler makes its effect idempotent using ``key``.
    """

    PENDING, DONE, DEAD = "pending", "done", "dead"
    STATUSES = [(PENDING, "Pending"), (DONE, "Done"), (DEAD, "Dead-lettered")]
    key = models.CharField(max_length=191, unique=True)
    kind = models.CharField(max_length=32)
    payload = models.JSONField()
    status = models.CharField(max_length=8, choices=STATUSES, default=PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True)
    last_error = models.TextField(blank=True)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name_plural = "outbox entries"


class CourseVersion(models.Model):
    """A version of a course the installation has served (recorded at `course add` and at server start), so that
    a module a later version dropped is still named, with its hours, where learners completed it."""

    course_id = models.CharField(max_length=64)
    version = models.CharField(max_length=32)
    title = models.CharField(max_length=300)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course_id", "version"], name="course_version_unique")]


class CourseVersionModule(models.Model):
    """One module of a course version: its id, titles (in the course's language and its translations) and hours."""

    course_version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="modules")
    module_id = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    titles = models.JSONField(default=dict)  # {language: title} of its translations
    hours = models.DecimalField(max_digits=7, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course_version", "module_id"],
                                               name="course_version_module_unique")]
