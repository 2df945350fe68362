"""The caregiving module XBlock: one module of the course, with honest time on task.

Authors choose the module (``module_id``, a settings field) from the course content in the studio view; the
block renders its outcomes, sections, knowledge check and reflection prompt. Every fact (heartbeats, sections
viewed, scores, reflections, completion) goes to the learner record through the ``caregiving_record`` service
(:mod:`xblocks.lookup`); the block keeps only UI state in its fields. It publishes the knowledge check's
``grade`` and, once, ``completion`` (``XBlockCompletionMode.COMPLETABLE``), the events the LMS records.
"""
from __future__ import annotations

from decimal import Decimal

from django.utils import translation
from web_fragments.fragment import Fragment
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Boolean, Dict, Float, Integer, Scope, String
from xblock.utils.resources import ResourceLoader
from xblock.utils.studio_editable import StudioEditableXBlockMixin
from xblock.validation import ValidationMessage

from caregiving_course.framework import Course, Module, catalogue
from caregiving_course.framework.rendering import render_markdown
from xblocks import heartbeat
from xblocks.handlers import (
    HandlerError,
    current_learner,
    current_user_attrs,
    current_user_is_staff,
    launch_channel,
    learner_handler,
    only_keys,
    record_service,
    require_int,
    require_str,
)
from xblocks.i18n import _, format_duration, format_hours
from xblocks.lookup import RECORD, unavailable_html
from xblocks.services import RUNTIME_ATTR

loader = ResourceLoader(__name__)
MAX_REFLECTION = 10_000
AUTHORED_VERDICTS = ("correct", "not correct", "incorrect", "bonne réponse", "mauvaise réponse")


def module_choices() -> list[dict]:
    """The modules of the course, for the author's drop-down."""
    return [{"display_name": m.title, "value": m.id} for m in catalogue().modules]


@XBlock.needs("i18n")
@XBlock.wants("user")
@XBlock.wants("settings")
@XBlock.wants(RECORD)
class CaregivingModuleBlock(StudioEditableXBlockMixin, XBlock):
    """One module of *Professional Practice in Caregiving*."""

    display_name = String(
        display_name=_("Display name"), default=_("Caregiving module"), scope=Scope.settings,
        help=_("The name learners see in the course navigation."))
    module_id = String(
        display_name=_("Module"), default="", scope=Scope.settings, values=module_choices,
        help=_("The module of the course content this block presents."))
    weight = Float(
        display_name=_("Weight"), default=1.0, scope=Scope.settings, values={"min": 0, "step": 0.1},
        help=_("Points the knowledge check is worth in the gradebook."))

    last_section = Integer(default=-1, scope=Scope.user_state, help="The section the learner opened last.")
    last_answers = Dict(default={}, scope=Scope.user_state, help="The learner's last submitted answers.")
    completion_published = Boolean(default=False, scope=Scope.user_state,
                                   help="Whether the completion event was published for this learner.")

    editable_fields = ("display_name", "module_id", "weight")
    has_score = True
    has_custom_completion = True
    completion_mode = XBlockCompletionMode.COMPLETABLE
    icon_class = "problem"
    block_settings_key = heartbeat.SETTINGS_BUCKET

    # Helpers --------------------------------------------------------------------------------
    @property
    def i18n(self):
        return self.runtime.service(self, "i18n")

    def gettext(self, text: str) -> str:
        return self.i18n.gettext(text)

    def _course_module(self) -> tuple[Course, Module | None]:
        course, module_id = catalogue(), self.module_id
        return course, course.module(module_id) if course.has_module(module_id) else None

    def _policy(self) -> dict:
        service = self.runtime.service(self, "settings")
        return heartbeat.policy(service.get_settings_bucket(self) if service else {})

    def max_score(self) -> float:
        return self.weight

    def _module_or_error(self) -> tuple[Course, Module]:
        return heartbeat.placed_module(self.module_id)

    def _status(self, learner, course: Course, module: Module) -> dict:
        check = record_service(self).completion_check(learner, module.id, course=course)
        left = []
        if check.sections_left:
            left.append(self.i18n.ngettext("open {count} more section", "open {count} more sections",
                                           len(check.sections_left)).format(count=len(check.sections_left)))
        if not check.passed:
            left.append(self.gettext("pass the knowledge check ({mark:.0%})").format(mark=module.pass_mark))
        if check.seconds < check.seconds_needed:
            left.append(self.gettext("spend about {time} more on the module").format(
                time=format_duration(self.i18n, check.seconds_needed - check.seconds)))
        completed = check.completed
        if completed:
            text = self.gettext("Module completed: its {hours} count toward your credentials.").format(
                hours=format_hours(self.i18n, module.hours))
        else:
            text = self.gettext("To complete this module: {steps}.").format(steps="; ".join(left))
        return {
            "completed": completed,
            "status_text": text,
            "time_text": format_duration(self.i18n, check.seconds),
            "credited_text": format_hours(self.i18n, module.hours if completed else Decimal(0)),
            "sections_viewed": [i for i in range(len(module.sections)) if i not in check.sections_left],
        }

    def _verdict(self, correct: bool, feedback: str) -> str:
        """'Correct.' or 'Not correct.', unless the author's feedback already opens with its verdict."""
        if feedback.lstrip().lower().startswith(AUTHORED_VERDICTS):
            return ""
        return self.gettext("Correct.") if correct else self.gettext("Not correct.")

    def _after_activity(self, learner, course: Course, module: Module) -> dict:
        """Complete the module if its rules are now met (publishing ``completion`` once); return its status."""
        completion = record_service(self).try_complete(learner, module.id, course=course)
        if completion is not None and not self.completion_published:
            self.runtime.publish(self, "completion", {"completion": 1.0})
            self.completion_published = True
        return self._status(learner, course, module)

    # Views ----------------------------------------------------------------------------------
    def student_view(self, context=None) -> Fragment:
        course, module = self._course_module()
        if module is not None:
            module = course.localized(module, translation.get_language())
        record = record_service(self)
        learner = current_learner(self, record) if record is not None else None
        ctx = {"block_id": str(self.scope_ids.usage_id).replace(".", "-"), "display_name": self.display_name,
               "module": module, "learner": learner,
               "unavailable": unavailable_html(self.i18n) if record is None else ""}
        if module is not None and learner is not None:
            record.record_launch(learner, module.id, launch_channel(self))  # the first launch's channel is kept
        if module is not None:
            state = record.module_state(learner, module.id) if learner is not None else {
                "sections_viewed": [], "reflection": "", "best_score": None}
            ctx.update({
                "outcomes": module.outcomes,
                "sections": [{"title": s.title, "html": render_markdown(s.markdown), "index": i,
                              "viewed": i in state["sections_viewed"], "open": i == self.last_section}
                             for i, s in enumerate(module.sections)],
                "questions": [{"id": q.id, "prompt": q.prompt, "chosen": self.last_answers.get(q.id),
                               "choices": [{"index": i, "text": c.text} for i, c in enumerate(q.choices)]}
                              for q in module.questions],
                "pass_mark": f"{module.pass_mark:.0%}",
                "best_score": None if state["best_score"] is None else f"{state['best_score']:.0%}",
                "reflection_prompt": module.reflection,
                "reflection": state["reflection"],
                "designed_hours": format_hours(self.i18n, module.hours),
                "status": self._after_activity(learner, course, module) if learner is not None else None,
                "max_reflection": MAX_REFLECTION,
            })
        html = loader.render_django_template("templates/blocks/module.html", ctx, i18n_service=self.i18n)
        frag = Fragment(html)
        frag.add_css_url(self.runtime.local_resource_url(self, "public/caregiving.css"))
        frag.add_javascript_url(self.runtime.local_resource_url(self, "public/module.js"))
        policy = self._policy()
        frag.initialize_js("CaregivingModuleBlock", {
            "interval": policy["interval"], "idle": policy["idle"], "signedIn": learner is not None,
            "messages": {
                "answerAll": self.gettext("Answer every question before you check your answers."),
                "saved": self.gettext("Your reflection is saved."),
                "error": self.gettext("Something went wrong; your last change was not saved. Please try again."),
                "viewed": self.gettext("viewed"),
                "score": self.gettext("Your score: {score}. Best score: {best}. Pass mark: {mark}."),
            },
        })
        return frag

    def validate_field_data(self, validation, data) -> None:
        if data.module_id and not catalogue().has_module(data.module_id):
            validation.add(ValidationMessage(ValidationMessage.ERROR,
                                             self.gettext("Choose a module of the course.")))
        if data.weight is None or data.weight < 0:
            validation.add(ValidationMessage(ValidationMessage.ERROR, self.gettext("The weight cannot be negative.")))

    def validate(self):
        """Studio's check of the placed block: its fields, and a warning while no module is chosen."""
        validation = super().validate()
        if not self.module_id:
            validation.add(ValidationMessage(ValidationMessage.WARNING,
                                             self.gettext("Choose the module this block presents.")))
        return validation

    @XBlock.json_handler
    def submit_studio_edits(self, data, suffix=""):
        """Studio's save; in our own server only staff may call it (and changes last one request)."""
        if current_user_attrs(self).get(RUNTIME_ATTR) and not current_user_is_staff(self):
            raise JsonHandlerError(403, "only staff may edit this block")
        if not isinstance(data, dict) or not isinstance(data.get("values"), dict) \
                or not isinstance(data.setdefault("defaults", []), list):
            raise JsonHandlerError(400, "expected {values: {...}, defaults: [...]}")
        try:
            return StudioEditableXBlockMixin.submit_studio_edits.__wrapped__(self, data, suffix)
        except (TypeError, ValueError) as error:
            raise JsonHandlerError(400, f"invalid value: {error}") from None

    # Handlers -------------------------------------------------------------------------------
    @learner_handler()
    def heartbeat(self, data: dict, learner) -> dict:
        course, module = self._module_or_error()
        reply, reached = heartbeat.answer_beat(data, learner, course, module, idle_limit=self._policy()["idle"],
                                               i18n=self.i18n, record=record_service(self))
        if reached:
            reply.update(self._after_activity(learner, course, module))
        return reply

    @learner_handler()
    def status(self, data: dict, learner) -> dict:
        """The module's status for the learner, completing the module if its rules are now met."""
        only_keys(data, set())
        course, module = self._module_or_error()
        return self._after_activity(learner, course, module)

    @learner_handler()
    def view_section(self, data: dict, learner) -> dict:
        only_keys(data, {"index"})
        course, module = self._module_or_error()
        index = require_int(data, "index", high=len(module.sections) - 1)
        record_service(self).record_section_viewed(learner, module.id, index, course=course)
        self.last_section = index
        return self._after_activity(learner, course, module)

    @learner_handler()
    def submit_check(self, data: dict, learner) -> dict:
        only_keys(data, {"answers"})
        course, module = self._module_or_error()
        answers = data.get("answers")
        if not isinstance(answers, dict):
            raise HandlerError(400, "'answers' must map question ids to choice numbers")
        # In the learner's language: a translation has the same questions and correct choices (checked on load).
        known = {q.id: q for q in course.localized(module, translation.get_language()).questions}
        unknown = sorted(set(answers) - set(known))
        if unknown:
            raise HandlerError(400, f"unknown question(s): {', '.join(unknown)[:200]}")
        missing = [q.id for q in module.questions if q.id not in answers]
        if missing:
            raise HandlerError(400, f"answer every question (missing: {', '.join(missing)})")
        feedback = {}
        for qid, question in known.items():
            chosen = require_int(answers, qid, high=len(question.choices) - 1)
            choice = question.choices[chosen]
            feedback[qid] = {"chosen": chosen, "correct": choice.correct, "feedback": choice.feedback,
                             "verdict": self._verdict(choice.correct, choice.feedback)}
        score = sum(f["correct"] for f in feedback.values()) / len(known)
        best = record_service(self).record_knowledge_check(learner, module.id, score, course=course)
        self.last_answers = {qid: f["chosen"] for qid, f in feedback.items()}
        self.runtime.publish(self, "grade", {"value": round(best * self.weight, 6), "max_value": self.weight})
        passed = best >= module.pass_mark
        verdict = self.gettext("Passed.") if passed else self.gettext(
            "Not passed yet: read the feedback under each question, then try again.")
        reply = {"score": score, "best_score": best, "passed": passed, "feedback": feedback,
                 "score_text": self.gettext("Your score: {score}. Best score: {best}. Pass mark: {mark}.").format(
                     score=f"{score:.0%}", best=f"{best:.0%}", mark=f"{module.pass_mark:.0%}") + " " + verdict}
        reply.update(self._after_activity(learner, course, module))
        return reply

    @learner_handler(max_bytes=8 * MAX_REFLECTION)
    def save_reflection(self, data: dict, learner) -> dict:
        only_keys(data, {"text"})
        text = require_str(data, "text", max_len=MAX_REFLECTION)
        course, module = self._module_or_error()
        record_service(self).record_reflection(learner, module.id, text, course=course)
        reply = {"saved": True}
        reply.update(self._after_activity(learner, course, module))
        return reply

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        return [
            ("Caregiving module: the caregiver's role",
             '<caregiving_module module_id="caregiver-role" display_name="The caregiver\'s role"/>'),
            ("Caregiving module: person-centred communication (worth 2 points)",
             '<caregiving_module module_id="person-centred-communication" weight="2"/>'),
        ]
