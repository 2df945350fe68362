"""The credit rules over many learners when a catalogue has many credentials: sparse, by set of modules done.

:func:`credit_sql.per_learner` answers a column per credential for every learner, which costs the database a
test per credential on every completion and returns credentials x learners numbers, although each learner
takes a few of the catalogue's courses. Here the database answers, per learner, the modules completed (as one
text), the instructor-led components' credited hundredths and whether each is done, and the award statuses;
the rules (those of :func:`progress.compute` and :mod:`credit_sql`: a completed module credits its designed
hours, instructor hours capped at the component's, a sign-off component once every skill is signed off, a
credential adds those it stacks on, a revoked award blocks the credential and those stacking on it) are
worked out once per distinct set of modules done: learners at the same point of the same courses share it.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.db import connection

from caregiving_course.framework import Course
from caregiving_course.learner_record.credit_sql import (
    EARNED,
    REVOKED,
    Params,
    closure,
    instructor_components,
    per_component_sql,
    scope_sql,
    stacked_on,
    table,
)
from caregiving_course.learner_record.models import Award, ModuleActivity, ModuleCompletion
from caregiving_course.learner_record.sql_dialect import concat, prepare_string_list, string_list


@dataclass(frozen=True)
class Plan:
    """Where each module and component counts: the credential positions whose closure holds it."""

    modules: dict[str, tuple[int, tuple[int, ...]]]  # module id -> (its hundredths of an hour, positions)
    components: dict[str, tuple[int, ...]]  # instructor-led component id -> positions
    sizes: tuple[int, ...]  # per position: components in its closure
    stacked: tuple[tuple[int, ...], ...]  # per position: its own and the positions it stacks on
    stacking: tuple[tuple[int, ...], ...]  # per position: its own and the positions stacking on it
    positions: dict[str, int]  # credential id -> position
    module_index: dict[str, int]  # module id -> its position in the course
    cache: dict = field(default_factory=dict, compare=False)  # modules-done text -> (cents, done)
    awards: dict = field(default_factory=dict, compare=False)  # awards text -> {position: EARNED or REVOKED}
    untouched: dict = field(default_factory=dict, compare=False)  # language -> progress with no records (progress)

    def touched(self, module_ids, component_ids, credential_ids) -> set[int]:
        """Positions of the credentials that records of these modules, components or credentials' awards
        bear on (the others' progress is the same as with no records at all)."""
        found: set[int] = set()
        for module_id in module_ids:
            found.update(self.modules.get(module_id, (0, ()))[1])
        for component_id in component_ids:
            found.update(self.components.get(component_id, ()))
        for credential_id in credential_ids:
            if credential_id in self.positions:
                found.update(self.stacking[self.positions[credential_id]])
        return found


_plans: dict[int, tuple[Course, Plan]] = {}
_lock = threading.Lock()


def plan_of(course: Course) -> Plan:
    """The course's plan, made once per loaded course (the catalogue is reloaded, not changed, on updates)."""
    found = _plans.get(id(course))
    if found is not None and found[0] is course:
        return found[1]
    modules: dict[str, list[int]] = defaultdict(list)
    components: dict[str, list[int]] = defaultdict(list)
    hours = {}
    sizes, stacked = [], []
    for i, cred in enumerate(course.credentials):
        parts = closure(cred, course)
        sizes.append(len(parts))
        stacked.append(tuple(stacked_on(cred, course)))
        for comp in parts:
            if comp.is_module:
                modules[comp.id].append(i)
                hours[comp.id] = int(comp.hours * 100)
            else:
                components[comp.id].append(i)
    stacking = [[i] for i in range(len(stacked))]
    for i, below in enumerate(stacked):
        for j in below:
            if j != i:
                stacking[j].append(i)
    plan = Plan({m: (hours[m], tuple(p)) for m, p in modules.items()}, {c: tuple(p) for c, p in components.items()},
                tuple(sizes), tuple(stacked), tuple(map(tuple, stacking)),
                {c.id: i for i, c in enumerate(course.credentials)}, {m.id: i for i, m in enumerate(course.modules)})
    with _lock:
        if len(_plans) > 8:  # catalogues loaded earlier
            _plans.clear()
        _plans[id(course)] = (course, plan)
    return plan


NONE_YET: Mapping[int, int] = MappingProxyType({})  # no award, no credit: shared, never changed


class Credit:
    """One learner's numbers by credential position (positions absent count zero): modules done, seconds on
    task, credited hundredths of an hour, components done (stacked ones included), awards (EARNED or REVOKED)."""

    __slots__ = ("awards", "cents", "done", "modules_done", "seconds")

    def __init__(self, modules_done: int = 0, seconds: int = 0, cents: Mapping[int, int] = NONE_YET,
                 done: Mapping[int, int] = NONE_YET, awards: Mapping[int, int] = NONE_YET) -> None:
        self.modules_done, self.seconds, self.cents, self.done, self.awards = modules_done, seconds, cents, done, awards

    def met(self, plan: Plan) -> list[int]:
        """Positions whose every component is done and whose award (and those it stacks on) is not revoked."""
        return [i for i, n in self.done.items() if n == plan.sizes[i]
                and not (self.awards and any(self.awards.get(j) == REVOKED for j in plan.stacked[i]))]


def _from_modules(plan: Plan, text: str) -> tuple[Mapping[int, int], Mapping[int, int]]:
    """The hundredths credited and components done, per credential position, by the modules done in ``text``."""
    found = plan.cache.get(text)
    if found is None:
        cents: dict[int, int] = defaultdict(int)
        done: dict[int, int] = defaultdict(int)
        for module_id in text.split(" "):  # module ids hold no spaces (framework.loader.ID_PATTERN)
            entry = plan.modules.get(module_id)
            if entry:
                for i in entry[1]:
                    cents[i] += entry[0]
                    done[i] += 1
        found = (MappingProxyType(dict(cents)), MappingProxyType(dict(done)))  # shared, read-only
        if len(plan.cache) < 100_000:
            plan.cache[text] = found
    return found


def _awards(plan: Plan, text: str) -> Mapping[int, int]:
    """Award statuses by credential position from ``text``: "credential-id:status" items separated by spaces."""
    found: dict[int, int] = {}
    for item in text.split(" "):
        credential_id, _, status = item.partition(":")
        if credential_id in plan.positions:
            found[plan.positions[credential_id]] = EARNED if status == Award.EARNED else REVOKED
    shared = MappingProxyType(found)
    if len(plan.awards) < 100_000:
        plan.awards[text] = shared
    return shared


def credit(course: Course, learner_ids: list[int] | None, *, seconds: bool = False,
           awards: bool = True) -> dict[int, Credit]:
    """Each learner's :class:`Credit` (learners with any record, within ``learner_ids`` when given), from one
    query per table. The mappings of learners at the same point are shared (read-only, and the same objects:
    their ids tell learners at the same point apart)."""
    plan = plan_of(course)
    found: dict[int, Credit] = {}
    p = Params()
    with connection.cursor() as cursor:
        prepare_string_list(cursor)
        cursor.execute(f"SELECT learner_id, COUNT(*), {string_list('module_id')} "  # noqa: S608
                       f"FROM {table(ModuleCompletion)} WHERE {scope_sql(learner_ids, p)} GROUP BY learner_id", p)
        cache = plan.cache
        for learner_id, count, text in cursor.fetchall():
            cents, done = cache.get(text) or _from_modules(plan, text)
            found[learner_id] = Credit(count, 0, cents, done)
        led = instructor_components(course)
        if led:
            p = Params()
            cursor.execute(per_component_sql(led, learner_ids, p), p)
            for learner_id, component_id, cents, done in cursor.fetchall():
                c = found.get(learner_id) or found.setdefault(learner_id, Credit())
                c.cents, c.done = dict(c.cents), dict(c.done)  # its own now
                for i in plan.components.get(component_id, ()):
                    c.cents[i] = c.cents.get(i, 0) + int(cents)
                    c.done[i] = c.done.get(i, 0) + int(done)
        if seconds:
            p = Params()
            cursor.execute(f"SELECT learner_id, SUM(seconds) FROM {table(ModuleActivity)} "  # noqa: S608
                           f"WHERE {scope_sql(learner_ids, p)} GROUP BY learner_id", p)
            for learner_id, total in cursor.fetchall():
                (found.get(learner_id) or found.setdefault(learner_id, Credit())).seconds = int(total)
        if awards:
            p = Params()
            held = concat("credential_id", "':'", "status")
            cursor.execute(f"SELECT learner_id, {string_list(held)} FROM {table(Award)} "  # noqa: S608
                           f"WHERE {scope_sql(learner_ids, p)} GROUP BY learner_id", p)
            for learner_id, text in cursor.fetchall():
                c = found.get(learner_id) or found.setdefault(learner_id, Credit())
                c.awards = plan.awards.get(text) or _awards(plan, text)
    return found
