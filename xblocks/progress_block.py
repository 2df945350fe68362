"""The learner progress XBlock: hours toward each credential, what is done and left, and why.

Everything shown comes from the learner record (``progress`` and ``explain``, through the ``caregiving_record``
service) for the signed-in learner, and the learner's badges from the ``caregiving_badges`` service (see
:mod:`xblocks.lookup`); the block stores nothing of its own.
"""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from web_fragments.fragment import Fragment
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.fields import Scope, String
from xblock.utils.resources import ResourceLoader
from xblock.utils.studio_editable import StudioEditableXBlockMixin

from caregiving_course import local_time
from xblocks.handlers import current_learner, record_service
from xblocks.i18n import _, format_duration, format_hours
from xblocks.lookup import BADGES, RECORD, service, unavailable_html

loader = ResourceLoader(__name__)

TIER_NAMES = {"badge": _("Badge"), "certificate-of-training": _("Certificate of Training"),
              "college-certificate": _("College Certificate")}
EVIDENCE_NAMES = {"completion": _("Module completed"), "hours": _("Instructor-recorded hours"),
                  "signoff": _("Skill signed off")}


def learner_badges(badges_service, learner) -> list[dict]:
    """``learner``'s badges from the badges service (title, status, url, verify_url, and the courses each
    credential is made of), links that are not web links dropped; [] without the service."""
    if badges_service is None:
        return []
    badges = []
    for badge in badges_service.badges_for(learner) or []:
        badges.append({
            "title": str(badge.get("title", "")),
            "lang": str(badge.get("lang", "")),
            "status": str(badge.get("status_label") or badge.get("status", "")),
            "url": _safe_url(badge.get("url")),
            "verify_url": _safe_url(badge.get("verify_url")),
            "courses": [{"title": str(c.get("title", "")), "lang": str(c.get("lang", ""))}
                        for c in badge.get("courses") or [] if isinstance(c, dict)],
        })
    return badges


def learner_record_url(badges_service) -> str:
    """Where the learner downloads their signed learner record, from the badges service; "" without it."""
    return _safe_url(badges_service.record_download_url()) if badges_service is not None else ""


def _module_url(module_id: str) -> str:
    """The module's page in our own server ('' in a host without one, such as Open edX)."""
    try:
        return reverse("xblocks:module", args=[module_id])
    except NoReverseMatch:
        return ""


def _safe_url(value) -> str:
    text = str(value or "")
    return text if text.startswith(("https://", "http://", "/")) and not text.startswith("//") else ""


@XBlock.needs("i18n")
@XBlock.wants("user")
@XBlock.wants("settings")
@XBlock.wants(RECORD)
@XBlock.wants(BADGES)
class CaregivingProgressBlock(StudioEditableXBlockMixin, XBlock):
    """The signed-in learner's progress toward the course's credentials."""

    display_name = String(
        display_name=_("Display name"), default=_("My progress"), scope=Scope.settings,
        help=_("The name learners see in the course navigation."))
    introduction = String(
        display_name=_("Introduction"), default="", scope=Scope.content, multiline_editor=True,
        help=_("Optional text shown above the learner's progress (plain text)."))

    editable_fields = ("display_name", "introduction")
    completion_mode = XBlockCompletionMode.EXCLUDED
    icon_class = "other"
    block_settings_key = "caregiving_progress"

    @property
    def i18n(self):
        return self.runtime.service(self, "i18n")

    def _left(self, cp, block_id: str) -> list[dict]:
        """What is still to do toward ``cp``, each with where to do it: a required credential's place on this
        page, a module's page where this server shows modules (instructor-led parts have no page)."""
        urls = [f"#cg-{block_id}-{r.credential.id}" for r in cp.requires if not r.eligible]
        urls += [_module_url(c.component.id) if c.component.is_module else "" for c in cp.components if not c.done]
        return [{"text": text, "url": url} for text, url in zip(cp.left, urls, strict=True)]

    def _credential(self, cp, block_id: str = "") -> dict:
        i18n = self.i18n
        evidence = [{
            "kind": i18n.gettext(EVIDENCE_NAMES.get(e.kind, e.kind)), "summary": e.summary,
            "hours": format_hours(i18n, e.hours), "date": local_time.day(e.at), "by": e.by,
        } for e in cp.evidence()]
        done = [c.title for c in cp.components if c.done]
        done += [r.title for r in cp.requires if r.eligible]
        return {
            "id": cp.credential.id, "title": cp.title,
            "tier": i18n.gettext(TIER_NAMES.get(cp.credential.tier, cp.credential.tier)),
            "credited": float(cp.credited_hours), "total": float(cp.total_hours),
            "hours_text": i18n.gettext("{credited} of {total}").format(
                credited=format_hours(i18n, cp.credited_hours), total=format_hours(i18n, cp.total_hours)),
            "credited_text": format_hours(i18n, cp.credited_hours),
            "done": done, "left": self._left(cp, block_id), "evidence": evidence,
            "status": cp.award_status, "eligible": cp.eligible,
        }

    def student_view(self, context=None) -> Fragment:
        record = record_service(self)
        learner = current_learner(self, record) if record is not None else None
        ctx = {"block_id": str(self.scope_ids.usage_id).replace(".", "-"), "display_name": self.display_name,
               "introduction": self.introduction, "learner": learner,
               "unavailable": unavailable_html(self.i18n) if record is None else ""}
        if learner is not None:
            course = record.learner_course(learner)  # every course the learner's offerings offer
            progress, badges = record.progress(learner, course=course), service(self, BADGES)
            ctx.update({
                "time_on_task": format_duration(self.i18n, progress.time_on_task_seconds),
                "modules_done": progress.modules_done, "modules_total": len(progress.modules),
                "module_hours": format_hours(self.i18n, progress.credited_hours),
                "earlier": [{"title": e.title, "version": e.version, "hours": format_hours(self.i18n, e.credited_hours),
                             "date": local_time.day(e.completed_at)} for e in progress.earlier],
                "credentials": [self._credential(c, ctx["block_id"]) for c in progress.credentials],
                "badges": learner_badges(badges, learner),
                "clr_url": learner_record_url(badges),
            })
        html = loader.render_django_template("templates/blocks/progress.html", ctx, i18n_service=self.i18n)
        frag = Fragment(html)
        frag.add_css_url(self.runtime.local_resource_url(self, "public/caregiving.css"))
        return frag

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        return [("Caregiving progress", '<caregiving_progress display_name="My progress"/>')]
