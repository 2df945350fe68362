"""The learner progress block: credited/total hours per credential, done and left, the "why", the badges hook."""
from __future__ import annotations

import re

import pytest
from django.utils import timezone

from caregiving_course.learner_record import api

pytestmark = pytest.mark.django_db


def progress_html(block_client, user) -> str:
    return block_client(user, "caregiving_progress", {"display_name": "My progress"}).render()


def complete_alpha(learner, clock) -> None:
    for index in range(3):
        api.record_section_viewed(learner, "alpha", index)
    api.record_knowledge_check(learner, "alpha", 1.0)
    api.record_heartbeat(learner, "alpha", "t", 1)
    for seq in range(2, 15):
        clock.advance(15)
        api.record_heartbeat(learner, "alpha", "t", seq)
    assert api.try_complete(learner, "alpha") is not None


def test_every_credential_with_hours_done_and_left(block_client, learner_user, learner):
    html = progress_html(block_client, learner_user)
    for title, tier in [("Test Badge", "Badge"), ("Test Certificate of Training", "Certificate of Training"),
                        ("Test College Certificate", "College Certificate")]:
        assert title in html and f"({tier})" in html
    assert "<progress" in html and 'max="0.600000"' in html
    assert "Still to do" in html and '<a href="/course/module/alpha/">Alpha module (not completed)</a>' in html
    assert re.search(r'<a href="#cg-[\w-]+-badge">Test Badge \(credential\)</a>', html), html  # stacked credential
    assert "No records yet" in html


def test_why_lists_every_record_with_dates_and_who_recorded_it(block_client, learner_user, learner, instructor,
                                                              clock):
    complete_alpha(learner, clock)
    api.record_hours(learner, "practicum", "3.5", by=instructor)
    html = progress_html(block_client, learner_user)
    assert "Why do I have" in html
    assert "Module completed</strong> — Alpha module: score" in html and "completed Alpha module" not in html
    assert "Instructor-recorded hours</strong> — 3.50 h for Supervised practicum on " in html
    assert "instructor@example.org" in html
    assert timezone.localdate(clock.now).isoformat() in html  # the date in the installation's zone
    assert "Done" in html


def test_anonymous_visitors_are_asked_to_sign_in(block_client):
    assert "Sign in to see your progress" in progress_html(block_client, None)


def test_badges_service_lists_badges_with_safe_links(block_client, learner_user, learner, monkeypatch):
    """The badges service lists what the app that issues badges registered (the sync, in its ready())."""
    from caregiving_course.learner_record import providers

    seen = []

    def badges_for_learner(who):
        seen.append(who.pk)
        return [{"title": "<b>Caregiving</b>", "status": "issued", "url": "https://badges.example.org/b/1",
                 "verify_url": "javascript:alert(1)", "courses": [{"title": "First <i>course</i>", "lang": ""},
                                                                   {"title": "Second course", "lang": "en"}]}]

    monkeypatch.setattr(providers, "_badge_lister", [])
    providers.provide_badges(badges_for_learner)
    html = progress_html(block_client, learner_user)
    assert seen == [learner.pk]
    assert "My badges" in html and "&lt;b&gt;Caregiving&lt;/b&gt;" in html
    assert 'href="https://badges.example.org/b/1"' in html and "javascript:" not in html
    assert 'Courses: <span>First &lt;i&gt;course&lt;/i&gt;</span>; <span lang="en">Second course</span>' in html


def test_the_sync_lends_its_badge_list_to_the_record():
    from caregiving_course.learner_record import providers
    from sync.public import badges_for_learner

    assert providers.badge_lister() is badges_for_learner


def test_no_badges_section_when_nothing_lists_badges(block_client, learner_user, monkeypatch):
    from caregiving_course.learner_record import providers

    monkeypatch.setattr(providers, "_badge_lister", [])
    assert "My badges" not in progress_html(block_client, learner_user)


def test_authored_introduction_is_escaped(block_client, learner_user):
    html = block_client(learner_user, "caregiving_progress",
                        {"introduction": "Welcome!\n<script>alert(1)</script>"}).render()
    assert "Welcome!<br>" in html and "<script>alert" not in html and "&lt;script&gt;" in html


def test_progress_block_has_a_studio_view_and_no_completion(block_client, instructor):
    from xblock.completable import XBlockCompletionMode

    from xblocks.progress_block import CaregivingProgressBlock

    html = block_client(instructor, "caregiving_progress", {}).render("studio_view")
    assert "Introduction" in html and "Display name" in html
    assert CaregivingProgressBlock.completion_mode == XBlockCompletionMode.EXCLUDED


def test_signed_off_skills_are_shown_by_name_in_the_learners_language(block_client, learner_user, learner,
                                                                      instructor):
    from django.utils import translation

    api.record_signoff(learner, "skills", "safe-transfer", by=instructor)
    html = progress_html(block_client, learner_user)
    assert "Skill signed off</strong> — Safe transfer, for Skills sign-off" in html and "safe-transfer" not in html
    with translation.override("fr"):
        french = progress_html(block_client, learner_user)
    assert "Transfert sécuritaire, pour Validation des compétences" in french and "Safe transfer" not in french
