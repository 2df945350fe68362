"""Signals the learner record sends inside the transaction of the fact they announce.

Receivers (the LTI bridge queuing a score, say) run in that same transaction, so what they
write to the outbox commits or rolls back with the fact.
"""
from django.dispatch import Signal

# sender=None; kwargs: learner, completion (ModuleCompletion), created (bool)
module_completed = Signal()
# kwargs: learner_id, award. award_earned is sent once for each award an evaluation created (never for
# one a concurrent evaluator wrote first); the award is as the writer returned it: its evidence (references,
# see award_evidence) loads when read. The xAPI app (sync.xapi) listens, when installed.
award_earned = Signal()
# kwargs: learner_id, award (already saved as revoked)
award_revoked = Signal()
# kwargs: learner_id, activity (ModuleActivity, saved), score (this attempt's, 0..1), attempt (its number)
knowledge_check_answered = Signal()
# kwargs: learner_id, activity (ModuleActivity, saved: first_activity_at and launched_via set). Sent once, when the
# learner first opens the module (see activity.record_launch).
module_launched = Signal()
# kwargs: learner_id, activity (ModuleActivity, saved), section (its index). Sent when a section is first viewed.
section_viewed = Signal()
# kwargs: learner_id, record (InstructorRecord, saved). Sent when hours or a sign-off are recorded, and again
# when the record is withdrawn (withdrawn_at set).
instructor_recorded = Signal()
