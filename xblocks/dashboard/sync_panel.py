"""What the outbox holds: deliveries pending, failed (with the platform's answer) and done.

Instructors see the counts; the details (which may name learners of other cohorts) and the retry
button are for administrators.
"""
from __future__ import annotations

from caregiving_course import local_time

MAX_LISTED = 20


def context(record, is_admin: bool) -> dict:
    """The panel's counts (and, for administrators, the failed deliveries) from the learner-record service."""
    counts = record.outbox_counts()
    failed = []
    if is_admin:
        dead = record.outbox_entries("dead", limit=MAX_LISTED)
        retrying = [e for e in record.outbox_entries("pending", limit=100) if e.last_error][:MAX_LISTED]
        for e in [*dead, *retrying]:
            failed.append({"id": e.pk, "kind": e.kind, "key": e.key, "attempts": e.attempts,
                           "answer": e.last_error[:300], "dead": e.status == "dead",
                           "next": local_time.when(e.next_attempt_at)})
    return {"pending": counts.get("pending", 0), "dead": counts.get("dead", 0), "done": counts.get("done", 0),
            "failed": failed, "is_admin": is_admin}
