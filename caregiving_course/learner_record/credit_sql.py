"""The credit rules of :mod:`progress` as one SQL aggregate: a row of numbers per learner.

A completed module credits its hours; an hours component credits the instructor hours recorded
for it, capped at its hours, and is done once they reach them; a sign-off component credits its
hours once each of its skills is signed off; withdrawn records count for nothing; a credential
adds the components of the credentials it stacks on. :func:`per_learner` returns, per learner,
whichever of these columns are asked for (``i`` is the credential's position in the course):

- ``n``: modules completed; ``s``: seconds on task (all modules)
- ``c{i}``: credited hundredths of an hour toward credential i
- ``k{i}``: how many of credential i's components (stacked ones included) are done
- ``a{i}``: credential i's award: 0 none, 1 earned, 2 revoked

:func:`evidence_rows` lists the records behind an award (award evaluation finds who meets what with
:mod:`credit_sets`). Values (module, component, skill and credential ids) are query
parameters; only numbers and table names are formatted into the SQL.
"""
from __future__ import annotations

from caregiving_course.framework import Component, Course
from caregiving_course.learner_record.models import Award, InstructorRecord, ModuleActivity, ModuleCompletion
from caregiving_course.learner_record.sql_dialect import ids_parameter, in_ids, integer, quote, without_index

NONE, EARNED, REVOKED = 0, 1, 2
IDS_PER_STATEMENT = 20_000  # learners per statement (see scope_sql)


class Params(dict):
    """Named query parameters: ``p(value)`` returns the placeholder of ``value``."""

    def __call__(self, value: str) -> str:
        name = f"p{len(self)}"
        self[name] = value
        return f"%({name})s"

    def tuple(self, values) -> str:
        return "(" + ", ".join(self(v) for v in values) + ")"

    def ids(self, values: list[int]) -> tuple[list[int], str | None]:
        """The ids as integers and the placeholder they are bound to (see :func:`sql_dialect.ids_parameter`),
        bound once however many times the SQL uses the same list."""
        last = self.__dict__.get("_ids")
        if last is None or last[0] is not values:
            ids = [int(v) for v in values]
            bound = ids_parameter(ids)
            last = self._ids = (values, ids, None if bound is None else self(bound))
        return last[1], last[2]


def closure(credential, course: Course) -> list[Component]:
    """The credential's components and those of every credential it stacks on, each once."""
    seen: dict[str, Component] = {}
    stack = [credential]
    while stack:
        cred = stack.pop()
        for comp in cred.components:
            seen.setdefault(comp.id, comp)
        stack.extend(course.credential(r) for r in cred.requires)
    return list(seen.values())


def stacked_on(credential, course: Course) -> list[int]:
    """Positions of the credential and of every credential it stacks on."""
    order = {c.id: i for i, c in enumerate(course.credentials)}
    found, stack = set(), [credential]
    while stack:
        cred = stack.pop()
        found.add(order[cred.id])
        stack.extend(course.credential(r) for r in cred.requires)
    return sorted(found)


def table(model) -> str:
    return quote(model._meta.db_table)


def scope_sql(learner_ids: list[int] | None, p: Params, column: str = "learner_id") -> str:
    """A condition limiting ``column`` to the learners (always true for None), the ids in one parameter where
    the database takes one (:func:`sql_dialect.in_ids`)."""
    if learner_ids is None:
        return "1 = 1"
    return in_ids(column, *p.ids(learner_ids))


def _in(column: str, values: list[str], p: Params) -> str:
    return f"{column} IN {p.tuple(values)}" if values else "1 = 0"


def counted_instructor_records(components: list[Component], p: Params) -> str:
    """Condition on instructor records: not withdrawn, and of a kind (and skill) these components count."""
    terms = []
    for comp in components:
        if comp.evidence == "hours":
            terms.append(f"(component_id = {p(comp.id)} AND kind = {p(InstructorRecord.HOURS)})")
        elif comp.evidence == "signoff":
            terms.append(f"(component_id = {p(comp.id)} AND kind = {p(InstructorRecord.SIGNOFF)} "
                         f"AND {_in('skill', list(comp.skills), p)})")
    return f"withdrawn_at IS NULL AND ({' OR '.join(terms) or '1 = 0'})"


def instructor_components(course: Course) -> list[Component]:
    """Every instructor-led component of the course's credentials, each once."""
    found: dict[str, Component] = {}
    for cred in course.credentials:
        for comp in cred.components:
            if not comp.is_module:
                found.setdefault(comp.id, comp)
    return list(found.values())


def _cents(hours) -> str:
    return str(int(hours * 100))


def per_component_sql(led: list[Component], learner_ids: list[int] | None, p: Params) -> str:
    """SQL of (learner_id, component_id, cents, done) for the instructor-led components ``led``: the hundredths
    of an hour each credits a learner and whether it is done (1 or 0)."""
    cents, done = [], []
    for comp in led:
        when = f"WHEN {p(comp.id)} THEN"
        if comp.evidence == "hours":
            reached = f"SUM(hours) >= {comp.hours}"
            cents.append(f"{when} CASE WHEN {reached} THEN {_cents(comp.hours)} ELSE ROUND(SUM(hours) * 100) END")
        else:
            reached = f"COUNT(DISTINCT skill) >= {len(comp.skills)}"
            cents.append(f"{when} CASE WHEN {reached} THEN {_cents(comp.hours)} ELSE 0 END")
        done.append(f"{when} CASE WHEN {reached} THEN 1 ELSE 0 END")
    return (f"SELECT learner_id, component_id, CASE component_id {' '.join(cents)} ELSE 0 END AS cents, "  # noqa: S608
            f"CASE component_id {' '.join(done)} ELSE 0 END AS done "
            f"FROM {table(InstructorRecord)} WHERE {counted_instructor_records(led, p)} "
            f"AND {scope_sql(learner_ids, p)} GROUP BY learner_id, component_id")


def per_learner(course: Course, learner_ids: list[int] | None, columns: str, p: Params,
                only: list[int] | None = None) -> str:
    """SQL of one row per learner (with any record, within ``learner_ids`` when given).

    ``columns`` picks the families: any of "n", "s", "c", "k", "a" (see the module docstring); ``only``, the
    credential positions wanted (every credential when None): the cost grows with them, each a test on every
    record (for many learners and credentials :mod:`credit_sets` answers sparsely).
    """
    creds = course.credentials
    positions = list(range(len(creds))) if only is None else list(only)
    parts = {i: closure(creds[i], course) for i in positions}
    module_sets = list(dict.fromkeys(tuple(c.id for c in comps if c.is_module) for comps in parts.values()))
    set_of = {i: module_sets.index(tuple(c.id for c in comps if c.is_module)) for i, comps in parts.items()}
    led = list({c.id: c for comps in parts.values() for c in comps if not c.is_module}.values()) \
        if "c" in columns or "k" in columns else []
    with_led = [i for i, comps in parts.items() if led and any(not c.is_module for c in comps)]
    wanted = [f for f in "ns" if f in columns]  # the union's columns, each summed (awards: maxed) per learner
    wanted += [f"{f}{j}" for f, family in (("h", "c"), ("m", "k")) if family in columns
               for j in range(len(module_sets))]
    wanted += [f"{f}{i}" for f in "ck" if f in columns for i in with_led]  # a badge of modules alone has none
    wanted += [f"a{i}" for i in positions if "a" in columns]
    branches = []

    def branch(values: dict[str, str], source: str) -> str:
        return f"SELECT learner_id, {', '.join(values.get(n, '0') + f' AS {n}' for n in wanted)} {source}"

    done_modules = {"n": "COUNT(*)"}
    for j, modules in enumerate(module_sets):  # credentials stacked on one badge share its modules: sum them once
        held = _in("module_id", list(modules), p)
        done_modules[f"h{j}"] = f"SUM(CASE WHEN {held} THEN credited_hours ELSE 0 END)"
        done_modules[f"m{j}"] = f"SUM(CASE WHEN {held} THEN 1 ELSE 0 END)"
    branches.append(branch(done_modules, f"FROM {table(ModuleCompletion)} WHERE {scope_sql(learner_ids, p)} "
                                         "GROUP BY learner_id"))

    if led:
        per_component = per_component_sql(led, learner_ids, p)
        recorded = {}
        for i in with_led:
            held = _in("component_id", [c.id for c in parts[i] if not c.is_module], p)
            recorded[f"c{i}"] = f"SUM(CASE WHEN {held} THEN cents ELSE 0 END)"
            recorded[f"k{i}"] = f"SUM(CASE WHEN {held} THEN done ELSE 0 END)"
        branches.append(branch(recorded, f"FROM ({per_component}) x GROUP BY learner_id"))

    if "s" in columns:
        branches.append(branch({"s": "SUM(seconds)"}, f"FROM {table(ModuleActivity)} "
                                                      f"WHERE {scope_sql(learner_ids, p)} GROUP BY learner_id"))
    if "a" in columns:
        awards = {f"a{i}": f"MAX(CASE WHEN credential_id = {p(creds[i].id)} THEN CASE WHEN status = "
                           f"{p(Award.EARNED)} THEN {EARNED} ELSE {REVOKED} END ELSE {NONE} END)" for i in positions}
        branches.append(branch(awards, f"FROM {table(Award)} WHERE {scope_sql(learner_ids, p)} GROUP BY learner_id"))

    # Sums come back as integers (PostgreSQL and MariaDB would send decimals, SQLite ROUND a float): cheaper to
    # read, for 10,000 learners several times cheaper than the decimals
    outer = [f"{integer(f'SUM({n})')} AS {n}" for n in "ns" if n in columns]
    for family, module_part, rounding in (("c", "h", "ROUND(SUM({}) * 100)"), ("k", "m", "SUM({})")):
        if family in columns:
            outer += [integer(rounding.format(f"{module_part}{set_of[i]}")
                              + (f" + SUM({family}{i})" if i in with_led else "")) + f" AS {family}{i}"
                      for i in positions]
    outer += [f"MAX(a{i}) AS a{i}" for i in positions if "a" in columns]
    return f"SELECT learner_id, {', '.join(outer)} FROM ({' UNION ALL '.join(branches)}) u GROUP BY learner_id"  # noqa: S608


def evidence_rows(course: Course, position: int, learner_ids: list[int] | None, p: Params) -> list[str]:
    """SELECTs of (learner_id, kind, id) of the records that earn credential ``position``.

    ``kind`` is "completion" or an instructor record's kind that a component counts ("hours",
    "signoff"; the filter admits no other): plain words, as :func:`sql_dialect.json_references` needs.
    """
    comps = closure(course.credentials[position], course)
    modules = [c.id for c in comps if c.is_module]
    selects = [f"SELECT learner_id, {p('completion')} AS kind, id FROM {table(ModuleCompletion)} "  # noqa: S608
               f"WHERE {_in(without_index('module_id'), modules, p)} AND {scope_sql(learner_ids, p)}"]
    led = [c for c in comps if not c.is_module]
    if led:
        selects.append(f"SELECT learner_id, kind, id FROM {table(InstructorRecord)} "  # noqa: S608
                       f"WHERE {counted_instructor_records(led, p)} AND {scope_sql(learner_ids, p)}")
    return selects
