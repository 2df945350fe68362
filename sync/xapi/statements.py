"""xAPI 1.0.3 statements for the learner record's records: ADL verbs, activity ids under the installation's base URL.

A statement's id is a UUID5 of the record it tells about (and of its attempt count or section, where one record
says several things), so building it again, or delivering it again, gives the same statement: the LRS keeps one.
Statements are made only from stored data (timestamps included), never from the clock. Each is grouped under the
course its module belongs to (a credential: the courses it is made of), one of the catalogue's. The learner is an
account under the installation's home page (``learner-<id>``), never an e-mail address.
"""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings

from caregiving_course.framework import Catalogue, Credential
from sync.issuer.clr_parts import duration

NAMESPACE = uuid.UUID("9b1f3c52-7d0e-5a8c-b6f4-2e1d0c9a8b71")
ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {name: ADL + name for name in ("launched", "experienced", "passed", "failed", "completed", "attended",
                                        "mastered", "satisfied", "voided")}
ACTIVITY = "http://adlnet.gov/expapi/activities/"
CHANNELS = {"local": "our site", "lti": "LTI", "openedx": "Open edX"}


def statement_id(*parts) -> str:
    """The id of the statement about a record (``kind``, record id, ...): the same parts, the same id."""
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def _base() -> str:
    return settings.BASE_URL.rstrip("/")


def _when(moment: dt.datetime | dt.date) -> str:
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(12), tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def actor(learner_id: int) -> dict:
    return {"objectType": "Agent", "account": {"homePage": f"{_base()}/", "name": f"learner-{learner_id}"}}


def activity(path: str, kind: str, name: str) -> dict:
    return {"objectType": "Activity", "id": f"{_base()}/course/{path}",
            "definition": {"type": ACTIVITY + kind, "name": {"en-US": name}}}


def course_activity(course) -> dict:
    """One course of the catalogue as an activity (``<base>/courses/<course id>``), named in the language it is
    written in and in French where it has a translation."""
    names = {"en-US" if course.language == "en" else course.language: course.title}
    french = course.text("fr")[0]
    if course.language != "fr" and french != course.title:
        names["fr-CA"] = french
    return {"objectType": "Activity", "id": f"{_base()}/courses/{course.id}",
            "definition": {"type": ACTIVITY + "course", "name": names}}


def courses_for(course, item) -> tuple:
    """The course or courses ``item`` (a module or a credential) belongs to: its own course (a credential: the
    courses it is made of) when ``course`` is the catalogue, else ``course`` itself."""
    if not isinstance(course, Catalogue):
        return (course,)
    return course.courses_of(item) if isinstance(item, Credential) else (course.course_of(item),)


def module_activity(module) -> dict:
    return activity(f"modules/{module.id}", "module", module.title)


def _statement(sid: str, learner_id: int, verb: str, obj: dict, when, *, result: dict | None = None,
               parents: list[dict] | None = None, course: tuple = (), channel: str = "") -> dict:
    context: dict = {"language": "en", "contextActivities": {}}
    if parents:
        context["contextActivities"]["parent"] = parents
    if course:
        context["contextActivities"]["grouping"] = [course_activity(c) for c in course]
    if channel:
        context["platform"] = channel
    if not context["contextActivities"]:
        del context["contextActivities"]
    out = {"id": sid, "actor": actor(learner_id), "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
           "object": obj, "context": context, "timestamp": _when(when)}
    if result:
        out["result"] = result
    return out


def launched(activity_row, module, course, channel: str) -> dict:
    """The module opened for the first time, and from where (our site, LTI, Open edX)."""
    return _statement(statement_id("launched", activity_row.id), activity_row.learner_id, "launched",
                      module_activity(module), activity_row.first_activity_at, course=courses_for(course, module),
                      channel=CHANNELS.get(channel, channel))


def experienced(activity_row, module, course, section) -> dict:
    """One section of the module viewed."""
    index = int(section) if str(section).isdigit() else section
    title = module.sections[index].title if isinstance(index, int) and 0 <= index < len(module.sections) \
        else str(section)
    obj = activity(f"modules/{module.id}/sections/{section}", "lesson", title)
    return _statement(statement_id("experienced", activity_row.id, section), activity_row.learner_id, "experienced",
                      obj, activity_row.last_activity_at or activity_row.first_activity_at,
                      parents=[module_activity(module)], course=courses_for(course, module))


def knowledge_check(activity_row, module, course, *, score: float | None = None, attempt: int | None = None) -> dict:
    """The knowledge check answered: passed or failed, with its score. Given ``score`` and ``attempt`` (as the
    learner record announces each answer), the statement is that attempt's; else (a replay of stored records)
    it is of the latest attempt, with the best score so far."""
    score = float(activity_row.best_score if score is None else score)
    attempt = activity_row.attempts if attempt is None else attempt
    passed = score >= module.pass_mark
    obj = activity(f"modules/{module.id}/knowledge-check", "assessment", f"Knowledge check: {module.title}")
    result = {"score": {"scaled": round(score, 4), "raw": round(score * 100, 2), "min": 0, "max": 100},
              "success": passed, "completion": True}
    return _statement(statement_id("knowledge-check", activity_row.id, attempt), activity_row.learner_id,
                      "passed" if passed else "failed", obj, activity_row.last_activity_at, result=result,
                      parents=[module_activity(module)], course=courses_for(course, module))


def completed(completion, module, course) -> dict:
    """The module completed: its time on task (ISO 8601 duration), score and credited hours."""
    result = {"completion": True, "success": True, "duration": duration(completion.time_on_task_seconds),
              "score": {"scaled": round(float(completion.score), 4)},
              "extensions": {f"{_base()}/xapi/extensions/credited-hours": float(completion.credited_hours)}}
    return _statement(statement_id("completed", completion.id), completion.learner_id, "completed",
                      module_activity(module), completion.completed_at, result=result,
                      course=courses_for(course, module))


def instructor_record(record, component, course) -> dict:
    """Instructor-recorded hours (attended, with their duration) or a skill signed off (mastered); ``course`` is
    the course the component belongs to (its credential's)."""
    comp = activity(f"components/{component.id}", "meeting", component.title)
    if record.kind == "hours":
        seconds = int(Decimal(record.hours) * 3600)
        return _statement(statement_id("instructor", record.id), record.learner_id, "attended", comp,
                          record.occurred_on, result={"duration": duration(seconds), "completion": True},
                          course=(course,))
    skill = activity(f"components/{component.id}/skills/{record.skill}", "performance",
                     component.skill_name(record.skill))
    return _statement(statement_id("instructor", record.id), record.learner_id, "mastered", skill, record.occurred_on,
                      result={"success": True, "completion": True}, parents=[comp], course=(course,))


def credential_earned(award, credential, course) -> dict:
    """A credential earned: its requirements satisfied; grouped under the courses it is made of."""
    obj = {"objectType": "Activity", "id": f"{_base()}/badges/achievements/{credential.id}",
           "definition": {"type": ACTIVITY + "course", "name": {"en-US": credential.title}}}
    return _statement(statement_id("award", award.public_id), award.learner_id, "satisfied", obj, award.earned_at,
                      result={"success": True, "completion": True}, course=courses_for(course, credential))


def voided(target_id: str, learner_id: int, when, why: str) -> dict:
    """Voids an earlier statement (a revoked credential, a withdrawn instructor record)."""
    return {"id": statement_id("voided", target_id), "actor": actor(learner_id),
            "verb": {"id": VERBS["voided"], "display": {"en-US": "voided"}},
            "object": {"objectType": "StatementRef", "id": target_id}, "timestamp": _when(when),
            "context": {"language": "en", "extensions": {f"{_base()}/xapi/extensions/reason": why[:200]}}}
