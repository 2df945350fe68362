"""Progress/explain and award evaluation over 10,000 learners with 8 module completions each.

Ceiling: one hand-written SQL aggregate computing the same per-learner credited-hours totals on
the same database in the same run (CEILING_SQL). Run on SQLite and on PostgreSQL (each in its own
process). Measured against it:

- progress totals: ``api.credited_totals`` for every learner and credential (best of 7; target <= 2x);
- full progress and explain (every record behind each number; informational);
- first-time award evaluation: ``api.evaluate_many(ids)`` awarding 10,000 badges, each with its
  evidence references and its ``badge.issue`` outbox row (best of 5, each rolled back; target <= 2x);
- re-evaluation when nothing is new: ``api.evaluate_many(None)`` (best of 3; target <= 2x).

First-time awarding writes 20,000 rows, which a read-only aggregate does not, so it is also
printed against a second ceiling measured in the same run: the same evaluation and writes as
hand-written SQL (WRITE_CEILING, best of 5, each rolled back). One INSERT … SELECT awards the
badge to every learner who has completed its modules and holds no award of it (each award with a
random version 4 UUID and its evidence as a JSON array of references), a second queues the new
awards. The last line says which of the two targets is met.

Timed runs are measured as :func:`bench.common.timed` does (the garbage collector paused, as
:mod:`timeit` does), ours and its ceiling in turns (:func:`bench.common.best_of_each`). The
committed evaluation that follows the timed ones is printed beside them (informational): it adds
the commit and a collection of whatever the run left behind.
"""
from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

LEARNERS = int(os.environ.get("BENCH_LEARNERS", "10000"))
# BENCH_CATALOGUE=1 (``python -m bench catalogue``): the same figures against the same ceilings with 20 more
# courses and 60 more credentials installed, the learners spread over offerings (bench/catalogue_fixture.py)


def populate(course) -> list[int]:
    """10,000 learners who completed every module of ``course`` (the first course, whose Badge they all earn)."""
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

# Every learner who has completed the badge's modules and holds no award of it is awarded the badge
# (a version 4 UUID, drawn per group: SQLite evaluates a grouped query's other expressions per row),
# then each award is queued. {modules} is the placeholders of the badge's module ids, {count} how many.
WRITE_CEILING = {
    "sqlite": ["""
INSERT INTO learner_record_award (public_id, learner_id, credential_id, status, credited_hours, evidence, earned_at,
                                  revoke_reason)
SELECT lower(hex(randomblob(6)) || '4' || substr(hex(randomblob(2)), 2) || substr('89AB', 1 + (random() & 3), 1)
             || substr(hex(randomblob(8)), 2)), learner_id, %(badge)s, 'earned', %(hours)s, refs, %(now)s, ''
FROM (SELECT learner_id, json_group_array(json_object('kind', 'completion', 'id', id)) AS refs
      FROM learner_record_modulecompletion WHERE module_id IN {modules}
      GROUP BY learner_id HAVING COUNT(*) = {count}) e
WHERE learner_id NOT IN (SELECT learner_id FROM learner_record_award WHERE credential_id = %(badge)s)
""", """
INSERT INTO learner_record_outboxentry (key, kind, payload, status, attempts, next_attempt_at, lease_owner, last_error,
                                        result, created_at)
SELECT 'badge.issue:' || u, 'badge.issue', json_object('award', u, 'credential', credential_id, 'learner', learner_id),
       'pending', 0, %(now)s, '', '', '{{}}', %(now)s
FROM (SELECT substr(public_id, 1, 8) || '-' || substr(public_id, 9, 4) || '-' || substr(public_id, 13, 4) || '-'
             || substr(public_id, 17, 4) || '-' || substr(public_id, 21) AS u, credential_id, learner_id
      FROM learner_record_award WHERE earned_at = %(now)s)
"""],
    "postgres": ["""
INSERT INTO learner_record_award (public_id, learner_id, credential_id, status, credited_hours, evidence, earned_at,
                                  revoke_reason)
SELECT gen_random_uuid(), learner_id, %(badge)s, 'earned', %(hours)s,
       jsonb_agg(jsonb_build_object('kind', 'completion', 'id', id)), %(now)s, ''
FROM learner_record_modulecompletion WHERE module_id IN {modules}
  AND learner_id NOT IN (SELECT learner_id FROM learner_record_award WHERE credential_id = %(badge)s)
GROUP BY learner_id HAVING COUNT(*) = {count}
""", """
INSERT INTO learner_record_outboxentry (key, kind, payload, status, attempts, next_attempt_at, lease_owner, last_error,
                                        result, created_at)
SELECT 'badge.issue:' || public_id::text, 'badge.issue',
       jsonb_build_object('award', public_id::text, 'credential', credential_id, 'learner', learner_id),
       'pending', 0, %(now)s, '', '', '{{}}', %(now)s
FROM learner_record_award WHERE earned_at = %(now)s
"""],
}


def run_one(kind: str) -> None:
    from bench import catalogue_fixture
    from bench.common import best_of, best_of_each, fresh_database, ratio_line, setup_django, timed

    at_scale = catalogue_fixture.enabled()
    if at_scale:
        catalogue_fixture.install()
    setup_django(fresh_database(kind, "caregiving_bench_progress"))
    from django.db import connection

    from caregiving_course.framework import catalogue
    from caregiving_course.learner_record import api

    course = catalogue()
    ids = catalogue_fixture.populate(course, LEARNERS).learner_ids if at_scale else populate(course.courses[0])
    badge = next(c for c in course.credentials if c.tier == "badge")
    scale = (f"{len(course.courses)} courses, {len(course.credentials)} credentials, " if at_scale else "")
    label = f"{kind}, catalogue scale" if at_scale else kind

    def ceiling():
        with connection.cursor() as cur:
            cur.execute(CEILING_SQL)
            return {row[0]: row[1] for row in cur.fetchall()}

    def totals():
        return {lid: t.credited[badge.id] for lid, t in api.credited_totals(course).items()}

    def detailed():
        return {lid: p.credential(badge.id).credited_hours for lid, p in api.progress_many(ids).items()}

    expected = ceiling()
    if at_scale:  # learners take different courses: every credential's totals against the detailed progress
        every = api.progress_many(ids)
        for lid, t in api.credited_totals(course).items():
            assert t.credited == {c_p.credential.id: c_p.credited_hours for c_p in every[lid].credentials}, \
                "totals differ from the detailed progress"
        to_award = sum(1 for p in every.values() for c_p in p.credentials if c_p.eligible and not c_p.award_status)
        del every
    else:
        assert all(Decimal(expected[i]) == v for i, v in totals().items()), "totals differ from the ceiling"
        assert all(Decimal(expected[i]) == v for i, v in detailed().items()), "progress differs from the ceiling"
        to_award = LEARNERS
    t_totals, t_ceiling = best_of_each(lambda: timed(totals), lambda: timed(ceiling))
    print(ratio_line(f"[{label}] progress totals of {LEARNERS} learners ({scale}api.credited_totals, all credentials)",
                     t_totals, t_ceiling, "one SQL aggregate", "<= 2x"))
    t_progress = best_of(detailed, 2)
    print(ratio_line(f"[{label}] full progress with every record of {LEARNERS} learners (api.progress_many)",
                     t_progress, t_ceiling, "one SQL aggregate", "informational"))
    sample = ids[:200]
    t_explain = best_of(lambda: [api.explain(api.find_learner(i), badge.id) for i in sample], 3)
    print(ratio_line(f"[{label}] explain, 200 learners one by one (x50 to 10k)", t_explain * LEARNERS / len(sample),
                     t_ceiling, "one SQL aggregate", "informational"))
    import time

    from django.db import transaction
    from django.utils import timezone

    # the write ceiling awards the badges (credentials of modules alone) in hand-written SQL: at catalogue scale
    # every such one with its own statement, the awards of stacked credentials left to ours alone
    badges = [c for c in course.credentials if c.tier == "badge" and all(x.is_module for x in c.components)] \
        if at_scale else [badge]

    def rolled_back(fn):
        """Seconds ``fn`` takes inside a transaction that is then rolled back (see bench.common.timed)."""
        with transaction.atomic():
            took = timed(fn)
            transaction.set_rollback(True)
        return took

    def write_ceiling():
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cur:
            for each in badges:
                modules = [c.id for c in each.components if c.is_module]
                placeholders = "(" + ", ".join(f"%(m{i})s" for i in range(len(modules))) + ")"
                values = {"badge": each.id, "hours": each.total_hours, "now": now,
                          **{f"m{i}": m for i, m in enumerate(modules)}}
                cur.execute(WRITE_CEILING[kind][0].format(modules=placeholders, count=len(modules)), values)
            cur.execute(WRITE_CEILING[kind][1].format(), {"now": now})
            written[0] = cur.rowcount
            assert at_scale or cur.rowcount == LEARNERS, "the write ceiling queued every learner's award"

    written = [0]

    def award():
        assert len(api.evaluate_many(ids)) == to_award

    t_award, t_write = best_of_each(lambda: rolled_back(award), lambda: rolled_back(write_ceiling), 5)
    start = time.perf_counter()
    new = api.evaluate_many(ids)
    t_committed = time.perf_counter() - start
    assert len(new) == to_award
    issued = api.get_award(str(new[0].public_id))
    assert issued.evidence == [e.as_dict() for e in api.explain(issued.learner, issued.credential_id).evidence()], \
        "evidence"
    what = (f"[{label}] award evaluation, {to_award} awards of {LEARNERS} learners ({written[0]} badges in the "
            "hand-written SQL) written + queued" if at_scale else
            f"[{label}] award evaluation, {LEARNERS} badges awarded + queued")
    print(ratio_line(what, t_award, t_ceiling, "one SQL aggregate", "<= 2x"))
    print(ratio_line(what, t_award, t_write, "the same evaluation and writes in hand-written SQL", "<= 2x"))
    print(ratio_line(what + ", committed (once, with the commit and garbage collection)", t_committed, t_write,
                     "the same evaluation and writes in hand-written SQL", "informational"))
    peers = (("the read-only aggregate", t_ceiling), ("the same work in hand-written SQL", t_write))
    met = [name for name, peer in peers if t_award <= 2 * peer]
    print(f"[{label}] first-time awarding meets the 2x target against: {', '.join(met) or 'neither ceiling'}"
          f"{'' if t_award <= 2 * t_ceiling else ' (not against the read-only aggregate)'}")
    t_reeval, t_ceiling = best_of_each(lambda: timed(lambda: api.evaluate_many(None)), lambda: timed(ceiling), 5)
    print(ratio_line(f"[{label}] re-evaluation (nothing new to award)", t_reeval, t_ceiling,
                     "one SQL aggregate", "<= 2x"))


def main() -> None:
    for kind in sys.argv[1:] or ("sqlite", "postgres"):
        subprocess.check_call([sys.executable, "-m", "bench.bench_progress", kind])


if __name__ == "__main__":
    if len(sys.argv) > 1:
        run_one(sys.argv[1])
    else:
        main()
