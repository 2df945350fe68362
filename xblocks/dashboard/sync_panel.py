"""What the outbox holds: deliveries pending, failed (with the platform's answer) and done.

Instructors see the counts; the details (which may name learners of other cohorts) and the retry
button are for administrators.
"""
from __future__ import annotations

from caregiving_course import local_time
from caregiving_course.learner_record import outbox

MAX_LISTED = 20


def context(is_admin: bool) -> dict:
    counts = outbox.counts()
    failed = []
    if is_admin:
        dead = outbox.entries("dead", limit=MAX_LISTED)
        retrying = [e for e in outbox.entries("pending", limit=100) if e.last_error][:MAX_LISTED]
        for e in [*dead, *retrying]:
            failed.append({"id": e.pk, "kind": e.kind, "key": e.key, "attempts": e.attempts,
                           "answer": e.last_error[:300], "dead": e.status == "dead",
                           "next": local_time.when(e.next_attempt_at)})
    return {"pending": counts.get("pending", 0), "dead": counts.get("dead", 0), "done": counts.get("done", 0),
            "failed": failed, "is_admin": is_admin}
