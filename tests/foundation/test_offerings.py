"""Cohorts as offerings of courses (issue 18.4): self-enrolment from the catalogue, enrolment codes and links,
sign-up into an open offering, per-offering progress, the CLI and /manage/, against the real database."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone, translation

from caregiving_course.learner_record import api
from caregiving_course.learner_record.models import Cohort, Enrolment

pytestmark = pytest.mark.django_db
FIRST, SECOND = "professional-practice-in-caregiving", "mental-health-substance-use"


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in French leaves French active in this thread (LocaleMiddleware): the next tests expect none."""
    yield
    translation.deactivate()


def _client(user=None, language: str = "en", **kwargs) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language, **kwargs)
    if user is not None:
        client.force_login(user)
    return client


def _enrolled(user) -> set[str]:
    return {c.name for c in api.offerings_of(api.learner_for_user(user))}


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# The catalogue page and self-enrolment ---------------------------------------------------------------------------

def test_the_home_page_lists_every_course_with_its_open_offerings_in_english_and_french(make_user):
    api.create_offering("mh-winter", courses=[SECOND], title="Winter evenings", delivery="instructor-led",
                        open_enrolment=True, starts_on=dt.date(2030, 1, 10))
    api.create_offering("partner-only", courses=[SECOND], title="Partner group")  # closed: not listed
    english = _text(_client().get("/"))
    for words in ("Professional Practice in Caregiving", "Mental Health and Substance Use Support for Caregivers",
                  "Certificate of Training", "Winter evenings", "Instructor-led", "Open offerings"):
        assert words in english
    assert "Partner group" not in english
    french = _client(language="fr").get("/")
    text = _text(french)
    assert "Catalogue des cours" in text and "Offres ouvertes" in text and "Avec formateur·rice" in text
    assert "Pratique professionnelle en soins et accompagnement" in text
    assert 'lang="en"' in french.content.decode() or "Santé mentale" in text  # untranslated content says so


def test_a_learner_enrols_in_an_open_offering_once_whatever_they_press(make_user):
    offering = api.create_offering("mh-open", courses=[SECOND], open_enrolment=True)
    user = make_user("ola@example.org")
    client = _client(user, enforce_csrf_checks=True)
    page = client.get("/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert 'name="offering" value="mh-open"' in page
    first = client.post("/enrol/open/", {"offering": "mh-open", "csrfmiddlewaretoken": token})
    assert first.status_code == 302 and first["Location"] == "/course/"
    again = client.post("/enrol/open/", {"offering": "mh-open", "csrfmiddlewaretoken": token}, follow=True)
    assert "already enrolled" in again.content.decode()
    assert Enrolment.objects.filter(cohort=offering).count() == 1
    assert "You are enrolled." in client.get("/").content.decode()
    courses = client.get("/course/").content.decode()
    assert "Mental Health and Substance Use Support for Caregivers" in courses


def test_refused_self_enrolments_change_nothing(make_user):
    api.create_offering("closed-one", courses=[SECOND])
    api.create_offering("ended-one", courses=[SECOND], open_enrolment=True,
                        starts_on=dt.date(2020, 1, 1), ends_on=timezone.localdate() - dt.timedelta(days=1))
    api.create_offering("open-one", courses=[SECOND], open_enrolment=True)
    user = make_user("rae@example.org")
    client = _client(user)
    for name in ("closed-one", "ended-one", "no-such-offering", ""):
        refused = client.post("/enrol/open/", {"offering": name})
        assert refused.status_code == 403 and "not open for enrolment" in refused.content.decode()
    assert client.get("/enrol/open/").status_code == 405
    no_csrf = _client(user, enforce_csrf_checks=True).post("/enrol/open/", {"offering": "open-one"})
    assert no_csrf.status_code == 403
    anonymous = _client().post("/enrol/open/", {"offering": "open-one"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert _enrolled(user) == set()


# Enrolment codes and links -----------------------------------------------------------------------------------------

def test_the_right_code_or_link_enrols_a_wrong_one_says_why_and_changes_nothing(make_user):
    offering = api.create_offering("partner-a", courses=[FIRST, SECOND], title="Partner A")
    code = offering.enrolment_code
    user = make_user("kit@example.org")
    client = _client(user)
    confirm = client.get(f"/enrol/{code}/")
    assert confirm.status_code == 200 and "Partner A" in confirm.content.decode()
    assert _enrolled(user) == set()  # a GET changes nothing
    assert client.post(f"/enrol/{code}/").status_code == 302
    assert _enrolled(user) == {"partner-a"}
    typed = api.format_code(code).lower().replace("-", " - ")  # as someone may type it
    other = make_user("lee@example.org")
    assert _client(other).post("/enrol/", {"code": typed}).status_code == 302
    assert _enrolled(other) == {"partner-a"}
    stranger = make_user("max@example.org")
    wrong = _client(stranger).post("/enrol/", {"code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 404 and "No offering has this enrolment code" in wrong.content.decode()
    assert _client(stranger).get("/enrol/NOT-A-CODE/").status_code == 404
    assert _client(stranger).post("/enrol/", {"code": ""}).status_code == 400
    assert _enrolled(stranger) == set()
    old = code
    api.regenerate_code(offering)
    assert offering.enrolment_code != old
    assert _client(stranger).post(f"/enrol/{old}/").status_code == 404 and _enrolled(stranger) == set()


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in_and_back(make_user):
    offering = api.create_offering("partner-b", courses=[FIRST])
    link = f"/enrol/{offering.enrolment_code}/"
    answer = _client().get(link)
    assert answer.status_code == 302 and answer["Location"] == f"/accounts/login/?next={link}"
    login = _client().get(answer["Location"]).content.decode()
    assert f'value="{link}"' in login and f"/accounts/signup/?next={link}" in login.replace("%2F", "/")
    signup = _client().get(f"/accounts/signup/?next={link}").content.decode()
    assert f'name="next" value="{link}"' in signup
    made = _client().post("/accounts/signup/", {"name": "Noor", "email": "noor@example.org",
                                                "password": "a-long-passphrase", "next": link})
    assert made.status_code == 302 and made["Location"] == f"/accounts/login/?next={link}"
    away = _client().post("/accounts/signup/", {"name": "Eve", "email": "eve@example.org",
                                                "password": "a-long-passphrase", "next": "https://evil.example/"})
    assert away["Location"] == "/accounts/login/?next=/course/"


def test_guessing_codes_is_throttled_per_address(make_user, settings):
    settings.ENROLMENT_CODE_FAILURES = 3
    offering = api.create_offering("partner-c", courses=[FIRST])
    user = make_user("guess@example.org")
    client = _client(user, REMOTE_ADDR="203.0.113.7")
    for guess in ("AAAABBBBCCCC", "AAAABBBBCCCD", "AAAABBBBCCCE"):
        assert client.post("/enrol/", {"code": guess}).status_code == 404
    blocked = client.post("/enrol/", {"code": offering.enrolment_code})
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    assert "Too many wrong enrolment codes" in blocked.content.decode()
    assert client.get(f"/enrol/{offering.enrolment_code}/").status_code == 429
    assert _enrolled(user) == set()
    elsewhere = _client(user, REMOTE_ADDR="203.0.113.8")  # another address is not blocked
    assert elsewhere.post("/enrol/", {"code": offering.enrolment_code}).status_code == 302
    assert _enrolled(user) == {"partner-c"}


# Sign-up, instructors, progress per offering ---------------------------------------------------------------------

def test_a_learner_who_signs_up_joins_an_open_offering_of_the_course_they_came_for(settings):
    Client().post("/accounts/signup/?course=" + SECOND, {"name": "Ada", "email": "ada@example.org",
                                                         "password": "a-long-passphrase", "course": SECOND})
    Client().post("/accounts/signup/", {"name": "Bo", "email": "bo@example.org", "password": "a-long-passphrase"})
    ada = api.find_learner("ada@example.org")
    bo = api.find_learner("bo@example.org")
    [ada_offering] = api.offerings_of(ada)
    [bo_offering] = api.offerings_of(bo)
    assert ada_offering.courses == [SECOND] and ada_offering.open_enrolment
    assert bo_offering.name == settings.SIGNUP_COHORT and bo_offering.courses == [FIRST]
    chosen = api.create_offering("mh-spring", courses=[SECOND], open_enrolment=True)
    Client().post("/accounts/signup/", {"name": "Cy", "email": "cy@example.org", "password": "a-long-passphrase",
                                        "course": SECOND})
    assert [c.name for c in api.offerings_of(api.find_learner("cy@example.org"))] == [chosen.name]
    later = api.create_offering("mh-summer", courses=[SECOND], open_enrolment=True, starts_on=dt.date(2031, 6, 1))
    home = _client().get("/").content.decode()
    assert f"/accounts/signup/?course={SECOND}&amp;offering=mh-summer" in home
    form = _client().get(f"/accounts/signup/?course={SECOND}&offering=mh-summer").content.decode()
    assert 'name="offering" value="mh-summer"' in form
    Client().post("/accounts/signup/", {"name": "Di", "email": "di@example.org", "password": "a-long-passphrase",
                                        "course": SECOND, "offering": "mh-summer"})
    assert [c.name for c in api.offerings_of(api.find_learner("di@example.org"))] == [later.name]
    Client().post("/accounts/signup/", {"name": "Ed", "email": "ed@example.org", "password": "a-long-passphrase",
                                        "course": SECOND, "offering": "partner-closed-or-unknown"})
    assert [c.name for c in api.offerings_of(api.find_learner("ed@example.org"))] == [chosen.name]


def test_an_instructor_sees_only_the_offerings_they_teach(make_user, live_server):
    import requests

    from tests.xblocks_dashboard.conftest import DashboardClient

    first = make_user("first.teacher@example.org", role="instructor", cohort="first-group")
    second = make_user("second.teacher@example.org", role="instructor", cohort="second-group")
    api.change_offering("second-group", courses=[SECOND])
    mine = make_user("mine@example.org", cohort="first-group")
    theirs = make_user("theirs@example.org", cohort="second-group")
    assert [c.name for c in api.cohorts_for(first)] == ["first-group"]
    with pytest.raises(api.NotAllowed):
        api.cohort_page(api.get_offering("second-group"), viewer=first)
    client = DashboardClient(live_server.url, first)
    page = client.open()
    assert page.status_code == 200 and "mine@example.org" in page.text
    assert "theirs@example.org" not in page.text and "second-group" not in page.text
    code = api.format_code(api.get_offering("first-group").enrolment_code)
    assert code in page.text and api.format_code(api.get_offering("second-group").enrolment_code) not in page.text
    assert client.post("table", {"cohort": "second-group"}).status_code == 403
    assert client.post("select_cohort", {"cohort": "second-group"}).status_code == 403
    assert client.get("csv", {"cohort": "second-group"}).status_code == 403
    assert client.get("chart", {"cohort": "second-group", "format": "svg"}).status_code == 403
    theirs_id = api.learner_for_user(theirs).pk
    assert client.post("learner", {"learner_id": theirs_id}).status_code == 403
    assert client.post("learner", {"learner_id": api.learner_for_user(mine).pk}).status_code == 200
    assert client.post("learner", {"learner_id": api.learner_for_user(mine).pk,
                                   "cohort": "second-group"}).status_code == 403
    csv = client.get("csv", {"cohort": "first-group"}).text
    assert "mine@example.org" in csv and "theirs@example.org" not in csv
    manage = requests.Session()
    manage.cookies.set("sessionid", client.session.cookies["sessionid"])
    assert manage.get(live_server.url + "/manage/offerings/", timeout=30).status_code == 403
    assert [c.name for c in api.cohorts_for(second)] == ["second-group"]


def test_progress_the_csv_and_the_chart_count_only_the_offerings_courses(make_user, live_server):
    from tests.xblocks_dashboard.conftest import DashboardClient

    admin = make_user("boss@example.org", role="administrator")
    api.create_offering("mh-only", courses=[SECOND])
    learner_user = make_user("pat@example.org", cohort="mh-only")
    learner = api.learner_for_user(learner_user)
    view = api.offering_course(api.get_offering("mh-only"))
    assert {c.id for c in view.courses} == {SECOND}
    assert {m.id for m in view.modules} == {m.id for m in view.course(SECOND).modules}
    [row] = api.cohort_page(api.get_offering("mh-only"), viewer=admin).rows
    assert {cp.credential.id for cp in row.progress.credentials} == {c.id for c in view.course(SECOND).credentials}
    client = DashboardClient(live_server.url, admin)
    client.open()
    client.post("select_cohort", {"cohort": "mh-only"})
    header = client.get("csv", {"cohort": "mh-only"}).text.splitlines()[0]
    assert "Mental Health" in header and "College Certificate" not in header
    chart = client.get("chart", {"cohort": "mh-only", "format": "svg"}).text
    assert "College Certificate" not in chart
    detail = client.post("learner", {"learner_id": learner.pk, "cohort": "mh-only"}).json()["html"]
    assert "Mental Health" in detail and "College Certificate" not in detail
    api.enrol(learner, api.ensure_cohort("both-courses"))  # the first course's offering too
    across = api.learner_course(learner)
    assert {c.id for c in across.courses} == {FIRST, SECOND}
    mine = _client(learner_user)
    courses = _text(mine.get("/course/"))
    assert "My courses" in courses and "Professional Practice in Caregiving" in courses
    progress = mine.get("/course/progress/").content.decode()
    assert "College Certificate" in progress and "Mental Health" in progress


# Migration, the CLI and /manage/ ---------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_existing_cohorts_become_offerings_of_the_first_course_keeping_every_enrolment():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("learner_record", "0004_learner_show_name_on_badges")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldCohort, OldLearner = old.get_model("learner_record", "Cohort"), old.get_model("learner_record", "Learner")
    OldEnrolment = old.get_model("learner_record", "Enrolment")
    groups = [OldCohort.objects.create(name=name, title=name) for name in ("fall-2025", "open-enrolment", "winter")]
    for i in range(6):
        OldEnrolment.objects.create(learner=OldLearner.objects.create(name=f"L{i}"), cohort=groups[i % 3])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    cohorts = list(Cohort.objects.order_by("name"))
    assert [c.courses for c in cohorts] == [[FIRST]] * 3
    assert {c.name: c.open_enrolment for c in cohorts} == {"fall-2025": False, "open-enrolment": True,
                                                           "winter": False}
    codes = {c.enrolment_code for c in cohorts}
    assert len(codes) == 3 and all(len(code) == 12 for code in codes)
    assert Enrolment.objects.count() == 6 and all(c.delivery == "self-paced" for c in cohorts)


def test_the_cli_creates_changes_and_lists_offerings_and_shows_or_regenerates_the_code(capsys):
    from caregiving_course.cli.main import main

    assert main(["cohort", "add", "evening", "--course", FIRST, "--course", SECOND, "--starts", "2030-01-05",
                 "--ends", "2030-03-30", "--delivery", "blended", "--open", "--title", "Evening class"]) == 0
    out = capsys.readouterr().out
    offering = api.get_offering("evening")
    assert offering.courses == [FIRST, SECOND] and offering.delivery == "blended" and offering.open_enrolment
    assert offering.starts_on == dt.date(2030, 1, 5) and api.format_code(offering.enrolment_code) in out
    assert main(["cohort", "change", "evening", "--closed", "--delivery", "face-to-face"]) == 0
    offering.refresh_from_db()
    assert not offering.open_enrolment and offering.delivery == "face-to-face"
    old = offering.enrolment_code
    assert main(["cohort", "code", "evening", "--regenerate"]) == 0
    offering.refresh_from_db()
    assert offering.enrolment_code != old and api.format_code(offering.enrolment_code) in capsys.readouterr().out
    assert main(["cohort", "list"]) == 0 and "evening" in capsys.readouterr().out
    assert main(["cohort", "add", "certificate-track", "--credential", "caregiving-college-certificate"]) == 0
    assert api.get_offering("certificate-track").courses == [FIRST, SECOND]  # it stacks on the second's badge
    for bad, reason in ((["cohort", "add", "x", "--course", "nope"], "no course 'nope'"),
                        (["cohort", "add", "x"], "give the courses"),
                        (["cohort", "add", "x", "--credential", "nope"], "no credential 'nope'"),
                        (["cohort", "add", "evening", "--course", FIRST], "already a cohort"),
                        (["cohort", "add", "y", "--course", FIRST, "--starts", "2030-02-01", "--ends", "2030-01-01"],
                         "cannot end"),
                        (["cohort", "code", "nope"], "no cohort 'nope'"),
                        (["cohort", "change", "evening"], "nothing to change")):
        assert main(bad) == 2
        err = capsys.readouterr().err
        assert reason in err and "Traceback" not in err
    assert not Cohort.objects.filter(name__in=["x", "y"]).exists()


def test_administrators_manage_offerings_in_english_and_french(make_user):
    admin = make_user("chief@example.org", role="administrator")
    client = _client(admin)
    made = client.post("/manage/offerings/", {"name": "pilot", "courses": [SECOND], "delivery": "instructor-led",
                                              "starts": "2030-04-01", "open": "yes", "title": "Pilot"})
    assert made.status_code == 302
    pilot = api.get_offering("pilot")
    assert pilot.courses == [SECOND] and pilot.open_enrolment and pilot.delivery == "instructor-led"
    listed = client.get("/manage/offerings/").content.decode()
    assert api.format_code(pilot.enrolment_code) in listed
    for bad in ({"name": "p2", "courses": ["nope"], "delivery": "blended"},
                {"name": "p3", "courses": [SECOND], "delivery": "by-owl"},
                {"name": "bad name", "courses": [SECOND], "delivery": "blended"},
                {"name": "p4", "courses": [SECOND], "delivery": "blended", "starts": "2030-02-01",
                 "ends": "2030-01-01"},
                {"name": "p5", "courses": [SECOND], "delivery": "blended", "starts": "next week"}):
        assert client.post("/manage/offerings/", bad).status_code == 400
    assert client.post("/manage/offerings/", {"name": "pilot", "courses": [SECOND],
                                              "delivery": "blended"}).status_code == 409
    assert list(Cohort.objects.values_list("name", flat=True)) == ["pilot"]
    saved = client.post("/manage/offerings/pilot/", {"courses": [FIRST, SECOND], "delivery": "blended"})
    assert saved.status_code == 302
    pilot.refresh_from_db()
    assert pilot.courses == [FIRST, SECOND] and not pilot.open_enrolment and pilot.starts_on is None
    old = pilot.enrolment_code
    assert client.post("/manage/offerings/pilot/code/").status_code == 302
    pilot.refresh_from_db()
    assert pilot.enrolment_code != old
    assert client.get("/manage/offerings/nope/").status_code == 404
    french = _text(_client(admin, language="fr").get("/manage/offerings/"))
    assert "Offres de cours" in french and "Ajouter une offre de cours" in french and "Hybride" in french
    learner = make_user("not.admin@example.org")
    assert _client(learner).post("/manage/offerings/pilot/code/").status_code == 403
    pilot.refresh_from_db()
    assert pilot.enrolment_code != old
