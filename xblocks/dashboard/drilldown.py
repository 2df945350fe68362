"""One learner in detail: hours toward each credential with the records behind them, instructor records
(who recorded what, when, and what was withdrawn), awards, and the choices the forms offer."""
from __future__ import annotations

from caregiving_course import local_time
from caregiving_course.framework import Course
from xblocks.dashboard.course_words import credential_title, shown_components
from xblocks.dashboard.forms import instructor_components
from xblocks.dashboard.render import _
from xblocks.dashboard.table import hours_text

EVIDENCE_KINDS = {"completion": _("Module completed"), "hours": _("Instructor-recorded hours"),
                  "signoff": _("Skill sign-off")}


def context(learner, viewer, course: Course, gettext) -> dict:
    record = viewer.record
    progress = record.progress(learner, course=course)
    credentials = []
    for cp in progress.credentials:
        evidence = [{"kind": gettext(EVIDENCE_KINDS.get(e.kind, e.kind)), "summary": e.summary,
                     "hours": hours_text(e.hours), "at": local_time.when(e.at), "by": e.by}
                    for e in cp.evidence()]
        credentials.append({"id": cp.credential.id, "title": cp.title,
                            "hours": hours_text(cp.credited_hours), "target": hours_text(cp.total_hours),
                            "eligible": cp.eligible, "status": cp.award_status, "left": cp.left,
                            "evidence": evidence})
    shown = shown_components(course)
    records = []
    kept = record.records_for(learner, viewer=viewer.user)
    signed = {(r.component_id, r.skill) for r in kept if r.kind == "signoff" and not r.withdrawn_at}
    for r in kept:
        component = shown.get(r.component_id)
        records.append({
            "id": r.pk, "component": component.title if component else r.component_id, "kind": r.kind,
            "what": (gettext("%(hours)s h") % {"hours": hours_text(r.hours)}) if r.kind == "hours"
            else component.skill_name(r.skill) if component else r.skill,
            "on": r.occurred_on.isoformat(), "note": r.note, "by": r.recorded_by.get_username(),
            "at": local_time.when(r.recorded_at), "withdrawn": bool(r.withdrawn_at),
            "withdrawn_at": local_time.when(r.withdrawn_at), "withdraw_reason": r.withdraw_reason})
    awards = [{"id": str(a.public_id), "credential": credential_title(course, course.credential(a.credential_id))
               if course.has_credential(a.credential_id) else a.credential_id, "status": a.status,
               "earned_at": local_time.day(a.earned_at), "revoked_at": local_time.day(a.revoked_at),
               "reason": a.revoke_reason} for a in record.awards_of(learner)]
    return {
        "learner": {"id": learner.pk, "name": learner.name or learner.email, "email": learner.email},
        "modules_done": progress.modules_done, "modules": len(course.modules),
        "module_hours": hours_text(progress.credited_hours),
        "earlier": [{"title": e.title, "version": e.version, "hours": hours_text(e.credited_hours),
                     "at": local_time.day(e.completed_at)} for e in progress.earlier],
        "credentials": credentials, "records": records, "awards": awards,
        "hours_components": [{"id": c.id, "title": shown[c.id].title} for c in instructor_components(course, "hours")],
        "skills": [{"component": c.id, "skill": s, "title": shown[c.id].title, "name": shown[c.id].skill_name(s)}
                   for c in instructor_components(course, "signoff") for s in c.skills
                   if (c.id, s) not in signed],  # a skill already signed off is not offered again
    }
