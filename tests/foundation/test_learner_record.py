"""The learner record API: identities, progress and explain, awarding, revoking, evidence and the outbox."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from caregiving_course.learner_record import api, outbox
from caregiving_course.learner_record.models import Award, InstructorRecord, Learner, OutboxEntry
from caregiving_course.learner_record.synthetic import simulate_study
from tests.concurrency import run_in_threads

pytestmark = pytest.mark.database


def complete_all_modules(learner, course):
    for m in course.courses[0].modules:
        assert simulate_study(learner, m.id, seconds=int(m.hours * 3600), score=1.0, course=course)


def record_certificate_evidence(learner, cot, instructor) -> list[InstructorRecord]:
    """Every instructor-led component of the certificate, recorded in full (hours 8 at a time)."""
    records = []
    for comp in cot.components:
        if comp.evidence == "hours":
            left = comp.hours
            while left > 0:
                records.append(api.record_hours(learner, comp.id, min(Decimal(8), left), by=instructor))
                left -= min(Decimal(8), left)
        elif comp.evidence == "signoff":
            records += [api.record_signoff(learner, comp.id, skill, by=instructor) for skill in comp.skills]
    return records


def tier(course, name):
    return next(c for c in course.credentials if c.tier == name)


def test_identities_are_never_merged_by_email(db):
    a = api.learner_for_identity("lti", "u-1", issuer="https://moodle.example.org", email="sam@example.org")
    b = api.learner_for_identity("lti", "u-1", issuer="https://canvas.example.org", email="sam@example.org")
    c = api.learner_for_identity("lti", "u-1", issuer="https://moodle.example.org")
    assert a.pk != b.pk and a.pk == c.pk


def test_progress_and_explain_trace_every_hour(learner, course):
    first, second = course.modules[:2]
    simulate_study(learner, first.id, seconds=int(first.hours * 3600), score=0.9, course=course)
    simulate_study(learner, second.id, seconds=600, score=None, sections=1, course=course)
    p = api.progress(learner)
    assert p.modules_done == 1 and p.time_on_task_seconds == int(first.hours * 3600) + 600
    badge = api.explain(learner, tier(course, "badge").id)
    assert badge.credited_hours == first.hours
    [evidence] = badge.evidence()
    assert evidence.kind == "completion" and evidence.hours == first.hours
    assert any(second.title in left for left in badge.left)


def test_module_does_not_complete_below_minimum_time_share(learner, course):
    m = course.modules[0]
    too_little = course.minimum_seconds(m) - 60
    assert not simulate_study(learner, m.id, seconds=too_little, score=1.0, course=course)
    assert not simulate_study(learner, m.id, seconds=too_little + 120, score=0.1, course=course)  # failed check
    assert simulate_study(learner, m.id, seconds=too_little + 120, score=1.0, course=course)


def test_badge_awarded_once_with_its_outbox_entry(learner, course):
    complete_all_modules(learner, course)
    badge = tier(course, "badge")
    awards = Award.objects.filter(learner=learner)
    assert [a.credential_id for a in awards] == [badge.id]
    assert api.evaluate(learner) == [] and api.evaluate(learner) == []
    award = awards.get()
    entry = OutboxEntry.objects.get(key=f"badge.issue:{award.public_id}")
    assert entry.payload["credential"] == badge.id and entry.status == "pending"
    assert len(award.evidence) == len(course.courses[0].modules)


def test_stacked_certificate_needs_badge_and_instructor_evidence(learner, instructor, course):
    cot = tier(course, "certificate-of-training")
    complete_all_modules(learner, course)
    record_certificate_evidence(learner, cot, instructor)
    earned = set(Award.objects.filter(learner=learner).values_list("credential_id", flat=True))
    assert cot.id in earned
    assert api.explain(learner, cot.id).credited_hours == cot.total_hours
    for award in api.awards_of(learner):  # stored as references, read as the entries explain shows
        assert award.evidence == [e.as_dict() for e in api.explain(learner, award.credential_id).evidence()]
        assert api.get_award(str(award.public_id)).evidence == award.evidence
    from caregiving_course.learner_record.totals import credited_totals

    totals = credited_totals(course, [learner.pk])[learner.pk]
    for cred in course.credentials:  # the aggregate path agrees with the detailed rules, stacking included
        assert totals.credited.get(cred.id, 0) == api.explain(learner, cred.id).credited_hours, cred.id


def test_withdrawn_evidence_revokes_and_queues_revocation(learner, instructor, course):
    cot = tier(course, "certificate-of-training")
    complete_all_modules(learner, course)
    records = record_certificate_evidence(learner, cot, instructor)
    with translation.override("fr"):  # an instructor working in French: the stored reason is still the site's
        api.withdraw(records[0].pk, by=instructor, reason="entered for the wrong learner")
    award = Award.objects.get(learner=learner, credential_id=cot.id)
    assert award.status == Award.REVOKED and "evidence withdrawn" in award.revoke_reason
    assert "h recorded" in award.revoke_reason and "consignées" not in award.revoke_reason
    assert OutboxEntry.objects.filter(key=f"badge.revoke:{award.public_id}").exists()


def test_progress_words_are_in_the_learners_language(learner, instructor, course):
    cot = tier(course, "certificate-of-training")
    complete_all_modules(learner, course)
    hours = next(c for c in cot.components if c.evidence == "hours")
    api.record_hours(learner, hours.id, Decimal(2), by=instructor)
    module = course.modules[0]
    english = api.explain(learner, cot.id)
    with translation.override("fr"):
        french = api.explain(learner, cot.id)
    french_title = course.localized(module, "fr").title
    summaries = {e.kind: e.summary for e in french.evidence()}
    assert any(e.summary.startswith(f"{french_title} : résultat ") for e in french.evidence())
    assert "min consacrées" in summaries["completion"]
    french_hours = next(c for c in course.localized(cot, "fr").components if c.id == hours.id)
    assert summaries["hours"].startswith(f"2,00 h pour {french_hours.title} le ")  # decimal comma, component
    assert french_hours.title != hours.title and french.title != cot.title == english.title
    assert f"{french_hours.title} (2,00 h sur {hours.hours} h consignées)" in french.left
    assert f"{hours.title} (2.00 of {hours.hours} h recorded)" in english.left
    assert any(e.summary.startswith(f"{module.title}: score ") for e in english.evidence())
    assert any(e.summary.startswith(f"2.00 h for {hours.title} on ") for e in english.evidence())


def test_revoke_needs_a_reason_and_happens_once(learner, instructor, course):
    complete_all_modules(learner, course)
    award = Award.objects.get(learner=learner)
    with pytest.raises(api.RecordError):
        api.revoke(str(award.public_id), reason="  ", by=instructor)
    api.revoke(str(award.public_id), reason="issued in error", by=instructor)
    with pytest.raises(api.RecordError, match="already revoked"):
        api.revoke(str(award.public_id), reason="again", by=instructor)
    assert OutboxEntry.objects.filter(kind="badge.revoke").count() == 1
    assert api.evaluate(learner) == []  # a revoked award is not silently re-issued


@pytest.mark.parametrize("hours", ["-1", "0", "25", "abc", "1e9", "NaN", "1.234"])
def test_absurd_instructor_hours_change_nothing(learner, instructor, course, hours):
    comp = next(c for cred in course.credentials for c in cred.components if c.evidence == "hours")
    with pytest.raises(api.RecordError):
        api.record_hours(learner, comp.id, hours, by=instructor)
    assert InstructorRecord.objects.count() == 0


def test_evidence_refused_for_unknown_component_future_date_and_strangers(learner, instructor, make_user, course):
    comp = next(c for cred in course.credentials for c in cred.components if c.evidence == "hours")
    with pytest.raises(api.RecordError, match="no instructor-led component"):
        api.record_hours(learner, "no-such", 2, by=instructor)
    with pytest.raises(api.RecordError, match="future"):
        api.record_hours(learner, comp.id, 2, by=instructor, on=timezone.localdate() + dt.timedelta(days=2))
    other = make_user("other-instructor@example.org", role="instructor", cohort="another-cohort")
    with pytest.raises(api.RecordError, match="only an instructor"):
        api.record_hours(learner, comp.id, 2, by=other)
    assert InstructorRecord.objects.count() == 0


def test_instructors_see_only_their_cohorts(learner, instructor, make_user):
    other = make_user("other-instructor@example.org", role="instructor", cohort="another-cohort")
    stranger = make_user("someone@example.org")
    api.check_can_view(instructor, learner)
    api.check_can_view(learner.user, learner)
    for user in (other, stranger):
        with pytest.raises(api.NotAllowed):
            api.check_can_view(user, learner)
    cohort = api.cohorts_for(instructor)[0]
    with pytest.raises(api.NotAllowed):
        api.cohort_rows(cohort, viewer=other)
    assert [r.learner_id for r in api.cohort_rows(cohort, viewer=instructor)] == [learner.pk]


def test_unknown_learner_and_credential_give_clear_errors(db):
    with pytest.raises(api.RecordError, match="no learner"):
        api.find_learner("nobody@example.org")
    learner = Learner.objects.create(name="x")
    with pytest.raises(api.RecordError, match="unknown credential"):
        api.explain(learner, "nope")


def test_outbox_claims_are_exclusive_and_leases_lapse(db, learner, course):
    complete_all_modules(learner, course)
    [entry] = outbox.claim("worker-a", limit=10, lease_seconds=60)
    assert entry.attempts == 0 and outbox.start_attempt(entry)  # an attempt counts when it starts, not at claim
    assert outbox.claim("worker-b", limit=10) == []
    OutboxEntry.objects.filter(pk=entry.pk).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    [again] = outbox.claim("worker-b", limit=10)
    assert again.pk == entry.pk and again.attempts == 1
    assert not outbox.start_attempt(entry)  # the lapsed holder may not send any more
    assert outbox.start_attempt(again)
    assert again.attempts == 2 == OutboxEntry.objects.get(pk=again.pk).attempts
    outbox.complete(again.pk, {"ok": True})
    assert outbox.claim("worker-c") == [] and outbox.counts()["done"] == 1


def test_a_worker_whose_lease_lapsed_cannot_release_or_bury_the_new_holders_delivery(db, learner, course):
    complete_all_modules(learner, course)
    [entry] = outbox.claim("worker-a", limit=10, lease_seconds=60)
    OutboxEntry.objects.filter(pk=entry.pk).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    [again] = outbox.claim("worker-b", limit=10, lease_seconds=60)
    assert not outbox.reschedule(entry.pk, timezone.now(), "late answer", owner="worker-a")
    assert not outbox.dead_letter(entry.pk, "late failure", owner="worker-a")
    held = OutboxEntry.objects.get(pk=entry.pk)
    assert (held.status, held.lease_owner, held.last_error) == (OutboxEntry.PENDING, "worker-b", "")
    assert outbox.claim("worker-c", limit=10) == []  # still leased to worker-b
    assert outbox.reschedule(again.pk, timezone.now(), "busy", owner="worker-b")
    assert OutboxEntry.objects.get(pk=entry.pk).lease_owner == ""


@pytest.mark.django_db(transaction=True)
def test_outbox_refuses_entries_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        outbox.enqueue("badge.issue", "badge.issue:x", {})
    assert not OutboxEntry.objects.exists()


@pytest.mark.concurrent_writers
@pytest.mark.django_db(transaction=True)
def test_two_evaluators_at_once_award_once(make_user, course):
    user = make_user("racer@example.org", cohort="fall-2026")
    learner = api.learner_for_user(user)
    for m in course.courses[0].modules:
        simulate_study(learner, m.id, seconds=int(m.hours * 3600), score=1.0, course=course)
    Award.objects.all().delete()
    OutboxEntry.objects.all().delete()
    _, errors = run_in_threads([lambda: api.evaluate(learner)] * 4)
    assert not errors
    assert Award.objects.filter(learner=learner).count() == 1
    assert OutboxEntry.objects.filter(kind="badge.issue").count() == 1


def test_bulk_evaluation_awards_exactly_the_learners_who_qualify(db, course):
    learners = [Learner.objects.create(name=f"bulk {i}") for i in range(60)]
    for learner in learners[::2]:
        complete_all_modules(learner, course)
    simulate_study(learners[1], course.modules[0].id, seconds=60, score=None, sections=1, course=course)
    Award.objects.all().delete()
    OutboxEntry.objects.all().delete()
    new = api.evaluate_many([x.pk for x in learners])
    assert sorted(a.learner_id for a in new) == sorted(x.pk for x in learners[::2])
    assert OutboxEntry.objects.filter(kind="badge.issue").count() == len(new)
    assert api.evaluate_many([x.pk for x in learners]) == []


def test_one_evaluation_awards_several_credentials_and_revokes_lapsed_ones(make_user, instructor, course):
    """One pass over many learners: a learner who now meets the badge and the certificate gets both, a
    learner whose badge lost its evidence has it revoked, a learner with nothing new is left alone."""
    from caregiving_course.learner_record.awards import changes
    from caregiving_course.learner_record.models import ModuleCompletion

    both, lapsed, settled = (api.learner_for_user(make_user(f"{name}@example.org", cohort="fall-2026"))
                             for name in ("both", "lapsed", "settled"))
    for learner in (both, lapsed, settled):
        complete_all_modules(learner, course)
    cot = tier(course, "certificate-of-training")
    record_certificate_evidence(both, cot, instructor)
    Award.objects.filter(learner=both).delete()
    ModuleCompletion.objects.filter(learner=lapsed, module_id=course.modules[0].id).delete()
    positions = {c.id: i for i, c in enumerate(course.credentials)}
    to_award, gone = changes(course, [both.pk, lapsed.pk, settled.pk])
    assert to_award == {positions[tier(course, "badge").id]: [both.pk], positions[cot.id]: [both.pk]}
    assert gone == [lapsed.pk]
    new = api.evaluate_many([both.pk, lapsed.pk, settled.pk])
    assert sorted((a.learner_id, a.credential_id) for a in new) == sorted(
        [(both.pk, tier(course, "badge").id), (both.pk, cot.id)])
    assert Award.objects.get(learner=lapsed).status == Award.REVOKED
    assert Award.objects.get(learner=settled).status == Award.EARNED
    assert changes(course, [both.pk, lapsed.pk, settled.pk]) == ({}, [])


@pytest.mark.parametrize("init_listener", [False, True], ids=["made-directly", "through-init"])
def test_awards_returned_by_evaluation_are_the_rows_written(db, course, init_listener,
                                                            django_assert_num_queries):
    """The new awards evaluation returns hold what a query of their rows gives, field by field, whether
    they are made directly or (when something listens to post_init) through Model.__init__."""
    from django.db.models.signals import post_init

    learners = [Learner.objects.create(name=f"returned {i}") for i in range(3)]
    for learner in learners:
        complete_all_modules(learner, course)
    Award.objects.all().delete()
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    if init_listener:
        post_init.connect(listener, sender=Award)
    try:
        new = api.evaluate_many([x.pk for x in learners])
    finally:
        post_init.disconnect(listener, sender=Award)
    assert len({a.public_id for a in new}) == 3 and (len(seen) == 3) == init_listener
    fields = [f.attname for f in Award._meta.concrete_fields if f.attname != "evidence"]  # evidence loads when read
    with django_assert_num_queries(0):
        returned = [{f: getattr(award, f) for f in fields} for award in new]
    for award, values in zip(new, returned, strict=True):
        stored = Award.objects.get(pk=award.pk)
        assert not award._state.adding and award._state.db == stored._state.db
        assert values == {f: getattr(stored, f) for f in fields} and award.evidence == stored.evidence
        assert isinstance(award.public_id, type(stored.public_id)) and award.learner.pk == stored.learner_id
        assert award.public_id.version == 4 and award.public_id.variant == uuid.RFC_4122  # drawn by the database
        award.status = Award.REVOKED
        award.save(update_fields=["status"])
        assert Award.objects.get(pk=award.pk).status == Award.REVOKED


def test_models_and_migrations_agree(db):
    """Every model change has its migration (a change without one would reach no database)."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"models changed without a migration:\n{out.getvalue()}")
