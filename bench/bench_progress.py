"""Progress/explain and award evaluation over 10,000 learners with 8 module completions each.

Ceiling: one hand-written SQL aggregate computing the same per-learner credited-hours totals on
the same database in the same run. Run on SQLite and on PostgreSQL (each in its own process).
"""
from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

LEARNERS = int(os.environ.get("BENCH_LEARNERS", "10000"))


def populate(course) -> list[int]:
    from django.db import transaction
    from django.utils import timezone

    from caregiving_course.learner_record.models import Learner, ModuleActivity, ModuleCompletion

    now = timezone.now()
    with transaction.atomic():
        Learner.objects.bulk_create([Learner(name=f"Learner {i}") for i in range(LEARNERS)], batch_size=2000)
        ids = list(Learner.objects.order_by("pk").values_list("pk", flat=True))
        acts, comps = [], []
        for lid in ids:
            for m in course.modules:
                secs = int(m.hours * 3600)
                acts.append(ModuleActivity(learner_id=lid, module_id=m.id, seconds=secs, best_score=0.9,
                                           sections_viewed=list(range(len(m.sections))), last_activity_at=now))
                comps.append(ModuleCompletion(learner_id=lid, module_id=m.id, score=0.9, credited_hours=m.hours,
                                              time_on_task_seconds=secs, completed_at=now))
        ModuleActivity.objects.bulk_create(acts, batch_size=5000)
        ModuleCompletion.objects.bulk_create(comps, batch_size=5000)
    return ids


CEILING_SQL = """
SELECT c.learner_id, SUM(c.credited_hours), COUNT(*), (SELECT COALESCE(SUM(a.seconds), 0)
       FROM learner_record_moduleactivity a WHERE a.learner_id = c.learner_id)
FROM learner_record_modulecompletion c GROUP BY c.learner_id
"""


def run_one(kind: str) -> None:
    from bench.common import best_of, fresh_database, ratio_line, setup_django

    setup_django(fresh_database(kind, "caregiving_bench_progress"))
    from django.db import connection

    from caregiving_course.framework import default_course
    from caregiving_course.learner_record import api

    course = default_course()
    ids = populate(course)
    badge = next(c for c in course.credentials if c.tier == "badge")

    def ceiling():
        with connection.cursor() as cur:
            cur.execute(CEILING_SQL)
            return {row[0]: row[1] for row in cur.fetchall()}

    def totals():
        return {lid: t.credited[badge.id] for lid, t in api.credited_totals(course).items()}

    def detailed():
        return {lid: p.credential(badge.id).credited_hours for lid, p in api.progress_many(ids).items()}

    expected = ceiling()
    assert all(Decimal(expected[i]) == v for i, v in totals().items()), "totals differ from the ceiling"
    assert all(Decimal(expected[i]) == v for i, v in detailed().items()), "progress differs from the ceiling"
    t_ceiling = best_of(ceiling, 5)
    t_totals = best_of(totals, 5)
    print(ratio_line(f"[{kind}] progress totals of {LEARNERS} learners (api.credited_totals, all credentials)",
                     t_totals, t_ceiling, "one SQL aggregate", "<= 2x"))
    t_progress = best_of(detailed, 2)
    print(ratio_line(f"[{kind}] full progress with every record of {LEARNERS} learners (api.progress_many)",
                     t_progress, t_ceiling, "one SQL aggregate", "informational"))
    sample = ids[:200]
    t_explain = best_of(lambda: [api.explain(api.find_learner(i), badge.id) for i in sample], 3)
    print(ratio_line(f"[{kind}] explain, 200 learners one by one (x50 to 10k)", t_explain * LEARNERS / len(sample),
                     t_ceiling, "one SQL aggregate", "informational"))
    import time

    start = time.perf_counter()
    new = api.evaluate_many(ids)
    t_award = time.perf_counter() - start
    assert len(new) == LEARNERS
    print(ratio_line(f"[{kind}] award evaluation, {LEARNERS} badges awarded + queued", t_award, t_ceiling,
                     "one SQL aggregate", "<= 2x"))
    t_reeval = best_of(lambda: api.evaluate_many(None), 3)
    print(ratio_line(f"[{kind}] re-evaluation (nothing new to award)", t_reeval, t_ceiling,
                     "one SQL aggregate", "<= 2x"))


def main() -> None:
    for kind in ("sqlite", "postgres"):
        subprocess.check_call([sys.executable, "-m", "bench.bench_progress", kind])


if __name__ == "__main__":
    if len(sys.argv) > 1:
        run_one(sys.argv[1])
    else:
        main()
