"""Signals the learner record sends inside the transaction of the fact they announce.

Receivers (the LTI bridge queuing a score, say) run in that same transaction, so what they
write to the outbox commits or rolls back with the fact.
"""
from django.dispatch import Signal

# sender=None; kwargs: learner, completion (ModuleCompletion), created (bool)
module_completed = Signal()
# kwargs: learner_id, award. award_earned is sent once for each award an evaluation created (never for
# one a concurrent evaluator wrote first); the award is as the writer returned it: its evidence (references,
# see award_evidence) loads when read. Nothing in the product listens today; sending costs next to nothing.
award_earned = Signal()
# kwargs: learner_id, award (already saved as revoked)
award_revoked = Signal()
# kwargs: learner_id, activity (ModuleActivity, saved), score (this attempt's, 0..1), attempt (its number)
knowledge_check_answered = Signal()
