"""An award's evidence: stored as references to the records that earned it, read as full entries.

The award writer stores ``[{"kind": "completion", "id": 12}, {"kind": "hours", "id": 3}, …]``:
which records earned the award, fixed when it was made. :func:`resolve` turns those references
into the entries readers use (``kind``, ``id``, ``summary``, ``hours``, ``at``, ``by``, as
:meth:`progress.Evidence.as_dict` gives them) by putting the referenced records through
:func:`progress.compute`, so an issued credential words and orders its evidence exactly as the
explain and progress pages do. Entries that are already full (awards recorded before references
were stored, or written by hand) are kept as they are.
"""
from __future__ import annotations

from collections import defaultdict

from caregiving_course.framework import Course, catalogue
from caregiving_course.learner_record.models import Award, InstructorRecord, ModuleCompletion
from caregiving_course.learner_record.progress import BATCH, Records, compute


def is_reference(entry) -> bool:
    return isinstance(entry, dict) and "summary" not in entry and "id" in entry


def _chunks(ids: list[int]):
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def _records(awards: list[Award]) -> dict[int, Records]:
    """The referenced records, by learner (a reference to another learner's record is ignored)."""
    completion_ids, instructor_ids = set(), set()
    for award in awards:
        for entry in award.evidence or []:
            if is_reference(entry):
                (completion_ids if entry.get("kind") == "completion" else instructor_ids).add(int(entry["id"]))
    records: dict[int, Records] = defaultdict(Records)
    for ids in _chunks(sorted(completion_ids)):
        for cid, lid, mid, score, hours, at, secs in ModuleCompletion.objects.filter(id__in=ids).values_list(
                "id", "learner_id", "module_id", "score", "credited_hours", "completed_at", "time_on_task_seconds"):
            records[lid].completions[mid] = (cid, score, hours, at, secs)
    for ids in _chunks(sorted(instructor_ids)):
        for row in InstructorRecord.objects.filter(id__in=ids).order_by("id").values_list(
                "learner_id", "id", "component_id", "kind", "hours", "skill", "occurred_on",
                "recorded_by__username", "recorded_at"):
            records[row[0]].instructor.append(row[1:])
    return records


def _referenced(rec: Records, entries: list) -> Records:
    """The part of a learner's loaded records that these entries reference."""
    wanted = {(e.get("kind") == "completion", int(e["id"])) for e in entries if is_reference(e)}
    return Records(completions={m: c for m, c in rec.completions.items() if (True, c[0]) in wanted},
                   instructor=[r for r in rec.instructor if (False, r[0]) in wanted])


def resolve(awards: list[Award], *, course: Course | None = None) -> list[Award]:
    """Replace reference entries in each award's ``evidence`` with full entries (a few queries in all)."""
    pending = [a for a in awards if any(is_reference(e) for e in a.evidence or [])]
    if not pending:
        return awards
    course = course or catalogue()
    records = _records(pending)
    for award in pending:
        if not course.has_credential(award.credential_id):
            continue  # nothing to word it by; whoever reads it reports the unknown credential
        rec = _referenced(records.get(award.learner_id, Records()), award.evidence)
        met = compute(course, award.learner_id, rec).credential(award.credential_id)
        award.evidence = ([e for e in award.evidence if not is_reference(e)]
                          + [e.as_dict() for e in met.evidence()])
    return awards
