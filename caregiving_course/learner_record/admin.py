"""Admin pages for administrators: cohorts, learners, awards and the outbox (changes go through the API)."""
from __future__ import annotations

from django.contrib import admin, messages

from caregiving_course.learner_record import outbox
from caregiving_course.learner_record.awards import revoke
from caregiving_course.learner_record.errors import RecordError
from caregiving_course.learner_record.models import Award, Cohort, Learner, OutboxEntry


class ReadOnly(admin.ModelAdmin):
    """Records are written by the learner record API only; the admin shows them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "created_at")
    search_fields = ("name", "title")
    filter_horizontal = ("instructors",)


@admin.register(Learner)
class LearnerAdmin(ReadOnly):
    list_display = ("id", "name", "email", "created_at")
    search_fields = ("name", "email", "identities__subject")


@admin.register(Award)
class AwardAdmin(ReadOnly):
    list_display = ("public_id", "learner", "credential_id", "status", "earned_at", "revoked_at")
    list_filter = ("status", "credential_id")
    search_fields = ("public_id", "learner__name", "learner__email")
    actions = ["revoke_in_error"]

    @admin.action(description="Revoke selected awards (issued in error)")
    def revoke_in_error(self, request, queryset) -> None:
        for award in queryset.filter(status=Award.EARNED):
            try:
                revoke(str(award.public_id), reason="issued in error (administrator)", by=request.user)
            except RecordError as exc:
                self.message_user(request, str(exc), messages.WARNING)


@admin.register(OutboxEntry)
class OutboxEntryAdmin(ReadOnly):
    list_display = ("id", "kind", "status", "attempts", "next_attempt_at", "done_at", "short_error")
    list_filter = ("status", "kind")
    search_fields = ("key",)
    actions = ["retry_dead"]

    @admin.display(description="last error")
    def short_error(self, entry: OutboxEntry) -> str:
        return entry.last_error[:120]

    @admin.action(description="Retry selected dead-lettered deliveries")
    def retry_dead(self, request, queryset) -> None:
        count = sum(outbox.retry(entry.pk) for entry in queryset)
        self.message_user(request, f"{count} deliveries queued again")
