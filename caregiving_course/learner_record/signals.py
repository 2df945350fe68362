"""Signals the learner record sends inside the transaction of the fact they announce.

Receivers (the LTI bridge queuing a score, say) run in that same transaction, so what they
write to the outbox commits or rolls back with the fact.
"""
from django.dispatch import Signal

# sender=None; kwargs: learner, completion (ModuleCompletion), created (bool)
module_completed = Signal()
# kwargs: learner, award
award_earned = Signal()
award_revoked = Signal()
