"""The caregiving module block: rendering, knowledge check, reflection, completion, events, studio edits."""
from __future__ import annotations

import pytest

from caregiving_course.learner_record import api

pytestmark = pytest.mark.django_db

ALL_RIGHT = {f"q{i}": 0 for i in range(1, 6)}


def view_all_sections(client) -> dict:
    reply = {}
    for index in range(3):
        status, reply = client.call("view_section", {"index": index})
        assert status == 200
    return reply


def spend_time(client, clock, seconds: int, tab: str = "t") -> dict:
    reply = {}
    status, reply = client.call("heartbeat", {"tab": tab, "seq": 0, "visible": True, "idle_seconds": 0})
    for seq in range(1, seconds // 15 + 1):
        clock.advance(15)
        status, reply = client.call("heartbeat", {"tab": tab, "seq": seq, "visible": True, "idle_seconds": 0})
        assert status == 200
    return reply


def completed(learner, module_id: str = "alpha") -> bool:
    return api.completion_check(learner, module_id).completed


def test_student_view_renders_outcomes_sections_check_and_reflection(block_client, learner_user, test_course):
    html = block_client(learner_user).render()
    module = test_course.module("alpha")
    assert module.title in html
    assert "Outcome one of alpha." in html
    for section in module.sections:
        assert section.title in html
    for question in module.questions:
        assert f'data-question="{question.id}"' in html
    assert "<fieldset" in html and "<legend>" in html and 'role="status"' in html
    assert 'for="cg-caregiving_module-alpha-reflection"' in html
    assert "Time on task" in html and "Credited hours" in html


def test_authored_html_is_sanitised_and_text_escaped(block_client, learner_user):
    html = block_client(learner_user).render()
    assert "<script>alert" not in html
    assert "onerror" not in html.replace("onerror=alert(&#x27;outcome&#x27;)", "")
    assert "javascript:" not in html
    assert "&lt;img src=x onerror=alert(&#x27;outcome&#x27;)&gt;" in html


def test_reflection_with_hostile_html_is_kept_as_text_and_shown_escaped(block_client, learner_user, learner):
    client = block_client(learner_user)
    hostile = '</textarea><script>alert("x")</script><img src=x onerror=alert(1)>'
    status, reply = client.call("save_reflection", {"text": hostile})
    assert status == 200 and reply["saved"]
    assert api.module_state(learner, "alpha")["reflection"] == hostile
    html = block_client(learner_user).render()
    assert "<script>alert" not in html and "</textarea><script>" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;" in html


def test_oversized_reflection_is_refused(block_client, learner_user, learner):
    status, reply = block_client(learner_user).call("save_reflection", {"text": "x" * 10_001})
    assert status == 400 and reply["error"]
    assert api.module_state(learner, "alpha")["reflection"] == ""


def test_knowledge_check_grades_on_the_server_with_feedback_and_grade_event(block_client, learner_user, learner):
    client = block_client(learner_user, fields={"module_id": "alpha", "weight": 2.0})
    answers = dict(ALL_RIGHT, q5=1)
    status, reply = client.call("submit_check", {"answers": answers})
    assert status == 200
    assert reply["score"] == pytest.approx(0.8) and reply["passed"] is True
    assert reply["feedback"]["q1"] == {"chosen": 0, "correct": True, "feedback": "Right, because 1.",
                                       "verdict": "Correct."}
    assert reply["feedback"]["q5"] == {"chosen": 1, "correct": False, "feedback": "Wrong, because 5.",
                                       "verdict": "Not correct."}
    assert client.events("grade") == [{"value": pytest.approx(1.6), "max_value": 2.0}]
    assert client.block.max_score() == 2.0
    assert api.module_state(learner, "alpha")["best_score"] == pytest.approx(0.8)


def test_a_lower_attempt_keeps_the_best_grade(block_client, learner_user):
    client = block_client(learner_user)
    client.call("submit_check", {"answers": ALL_RIGHT})
    status, reply = client.call("submit_check", {"answers": {q: 1 for q in ALL_RIGHT}})
    assert status == 200 and reply["score"] == 0 and reply["best_score"] == 1.0
    assert client.events("grade")[-1] == {"value": 1.0, "max_value": 1.0}


@pytest.mark.parametrize("payload", [
    {}, {"answers": []}, {"answers": {"q1": 0}}, {"answers": dict(ALL_RIGHT, q9=0)},
    {"answers": dict(ALL_RIGHT, q1=3)}, {"answers": dict(ALL_RIGHT, q1=True)}, {"answers": dict(ALL_RIGHT, q1="0")},
    {"answers": ALL_RIGHT, "score": 1},
])
def test_malformed_answers_are_refused_and_change_nothing(block_client, learner_user, learner, payload):
    client = block_client(learner_user)
    status, reply = client.call("submit_check", payload)
    assert status == 400 and reply["error"]
    assert api.module_state(learner, "alpha")["attempts"] == 0
    assert client.events("grade") == []


@pytest.mark.parametrize("payload", [{"index": 3}, {"index": -1}, {"index": "0"}, {}, {"index": 0, "x": 1}])
def test_malformed_section_views_are_refused(block_client, learner_user, learner, payload):
    status, reply = block_client(learner_user).call("view_section", payload)
    assert status == 400 and reply["error"]
    assert api.module_state(learner, "alpha")["sections_viewed"] == []


def test_completion_needs_sections_pass_mark_and_time_share(block_client, learner_user, learner, clock, test_course):
    client = block_client(learner_user)
    view_all_sections(client)
    assert not completed(learner)
    status, reply = client.call("submit_check", {"answers": dict(ALL_RIGHT, q1=1, q2=1)})  # 60% < 80%
    assert not reply["completed"]
    assert reply["score_text"].endswith("Not passed yet: read the feedback under each question, then try again.")
    status, reply = client.call("submit_check", {"answers": ALL_RIGHT})
    assert reply["score_text"].endswith(" Passed.") and "Not passed" not in reply["score_text"]
    assert not completed(learner)  # no time on task yet
    needed = api.completion_check(learner, "alpha").seconds_needed
    assert needed == 180  # 0.1 h x 50 %
    reply = spend_time(client, clock, needed - 15)
    assert not reply.get("completed") and not completed(learner)
    clock.advance(15)
    status, reply = client.call("heartbeat", {"tab": "t", "seq": 99, "visible": True, "idle_seconds": 0})
    assert status == 200 and reply["completed"] is True  # the beat that reached the share completed it
    assert completed(learner)
    assert client.events("completion") == [{"completion": 1.0}]
    assert "0.1 h" in reply["credited_text"]
    progress = api.progress(learner)
    assert progress.credential("test-badge").credited_hours == test_course.module("alpha").hours


def test_completion_event_is_published_once(block_client, learner_user, learner, clock):
    client = block_client(learner_user)
    spend_time(client, clock, 180)
    client.call("submit_check", {"answers": ALL_RIGHT})
    assert not completed(learner)
    view_all_sections(client)  # the last missing rule: completes here
    assert completed(learner)
    client.call("save_reflection", {"text": "done"})
    client.call("view_section", {"index": 1})
    assert client.events("completion") == [{"completion": 1.0}]
    assert client.block.completion_published is True


def test_user_state_remembers_last_section_and_answers(block_client, learner_user):
    client = block_client(learner_user)
    client.call("view_section", {"index": 2})
    client.call("submit_check", {"answers": ALL_RIGHT})
    again = block_client(learner_user)
    assert again.block.last_section == 2
    assert again.block.last_answers == ALL_RIGHT
    html = again.render()
    assert '<details class="cg-section" data-index="2" open>' in html
    assert 'name="q1" value="0" checked' in html


def test_anonymous_visitor_sees_the_module_but_cannot_record(block_client, test_course):
    client = block_client(None)
    html = client.render()
    assert test_course.module("alpha").title in html and "Sign in" in html
    assert client.call("view_section", {"index": 0})[0] == 403
    from caregiving_course.learner_record.models import ModuleActivity

    assert not ModuleActivity.objects.exists()  # no launch recorded for nobody


def test_opening_the_module_records_the_channel_of_its_first_launch(learner_user, learner):
    from django.test import RequestFactory

    from xblocks.runtime import CourseRuntime, Placement

    def open_through(channel: str) -> None:
        request = RequestFactory().get("/course/")
        request.user, request.session = learner_user, {}
        runtime = CourseRuntime(request, channel=channel)
        runtime.render(runtime.block(Placement.of("caregiving_module", {"module_id": "alpha"})), "student_view", {})

    open_through("lti")
    open_through("local")  # a later visit on our site: the first launch stays
    activity = learner.module_activity.get(module_id="alpha")
    assert activity.launched_via == "lti" and activity.first_activity_at is not None


def test_block_without_module_says_so(block_client, learner_user):
    client = block_client(learner_user, fields={"display_name": "Empty"})
    assert "no module of the course selected" in client.render()
    status, _ = client.call("view_section", {"index": 0})
    assert status == 400


def test_studio_view_offers_the_modules_of_the_course(block_client, instructor):
    html = block_client(instructor).render("studio_view")
    assert 'value="alpha"' in html and 'value="beta"' in html and "Beta module" in html


def studio_edit(client, values: dict):
    return client.call("submit_studio_edits", {"values": values, "defaults": []})


def test_learners_cannot_call_the_studio_save_handler(block_client, learner_user):
    client = block_client(learner_user)
    status, _ = studio_edit(client, {"module_id": "beta"})
    assert status == 403
    assert client.block.module_id == "alpha"


def test_staff_studio_save_validates(block_client, instructor):
    client = block_client(instructor)
    assert studio_edit(client, {"module_id": "nope"})[0] == 400
    assert studio_edit(client, {"weight": -1})[0] == 400
    assert studio_edit(client, {"weight": "heavy"})[0] == 400
    assert client.call("submit_studio_edits", {"values": "x"})[0] == 400
    status, _ = studio_edit(client, {"module_id": "beta", "weight": 3})
    assert status == 200
    assert (client.block.module_id, client.block.weight) == ("beta", 3.0)


def test_block_declares_the_xblock_contract():
    from xblock.completable import XBlockCompletionMode
    from xblock.fields import Scope

    from xblocks.module_block import CaregivingModuleBlock

    assert CaregivingModuleBlock.has_score and CaregivingModuleBlock.has_custom_completion
    assert CaregivingModuleBlock.completion_mode == XBlockCompletionMode.COMPLETABLE
    assert CaregivingModuleBlock._services_requested == {"i18n": "need", "user": "want", "settings": "want",
                                                         "caregiving_record": "want"}
    assert CaregivingModuleBlock.fields["module_id"].scope == Scope.settings  # chosen in the studio view


def test_opening_the_module_completes_it_when_its_rules_were_met_elsewhere(block_client, learner_user, learner,
                                                                            clock):
    """Rules met through another block or device: the next view completes the module and says so."""
    for index in range(3):
        api.record_section_viewed(learner, "alpha", index)
    api.record_knowledge_check(learner, "alpha", 1.0)
    api.record_heartbeat(learner, "alpha", "other-device", 1)
    for seq in range(2, 15):
        clock.advance(15)
        api.record_heartbeat(learner, "alpha", "other-device", seq)
    client = block_client(learner_user)
    html = client.render()
    assert "Module completed" in html and completed(learner)
    assert client.events("completion") == [{"completion": 1.0}]


def test_status_handler_completes_a_module_whose_rules_were_met_and_refuses_fields(block_client, learner_user, learner,
                                                                                 clock):
    """The block's ``status`` handler (our server asks it when a beat reaches the module's required time)."""
    client = block_client(learner_user)
    status, reply = client.call("status", {})
    assert status == 200 and reply["completed"] is False and "pass the knowledge check" in reply["status_text"]
    assert client.call("status", {"completed": True}) == (400, {"error": "unexpected field(s): completed"})
    view_all_sections(client)
    client.call("submit_check", {"answers": ALL_RIGHT})
    for seq in range(1, 14):
        clock.advance(15)
        api.record_heartbeat(learner, "alpha", "other-tab", seq)
    assert not client.events("completion")
    status, reply = client.call("status", {})
    assert status == 200 and reply["completed"] is True and completed(learner)
    assert client.events("completion") == [{"completion": 1.0}]
    assert client.call("status", {})[1]["completed"] is True and len(client.events("completion")) == 1


def test_no_second_verdict_when_the_author_wrote_one(block_client, learner_user):
    block = block_client(learner_user).block
    assert block._verdict(True, "Correct. Because ...") == ""
    assert block._verdict(False, "Not correct. Because ...") == ""
    assert block._verdict(False, "Because ...") == "Not correct."
