"""Our apps and blocks in a project built the way edx-platform builds the LMS (issue 16, point 3).

The project (``tests/plugin/lms``) has only what an LMS has of its own; ``edx_django_utils.plugins`` adds our
apps, their settings and their URLs from this checkout's entry points. It runs in processes of its own (the
rest of the suite runs on our settings): ``migrate``, a real server on a free port, and a driver that works
the blocks through an XBlock runtime with the LMS's services and none of ours.
"""
from __future__ import annotations

import re
import uuid
from decimal import Decimal
from pathlib import Path

import requests

OUR_APPS = {"caregiving_course.learner_record.apps.LearnerRecordConfig", "caregiving_course.server.apps.ServerConfig",
            "xblocks.apps.XBlocksConfig", "lti_bridge.apps.LtiBridgeConfig", "sync.apps.SyncConfig"}


def test_the_plugin_machinery_adds_every_app_and_its_settings(lms):
    assert OUR_APPS <= set(lms.driven["installed_apps"])
    values = lms.driven["settings"]
    assert values["BASE_URL"] == lms.url  # the LMS's root URL
    assert values["KEYS_DIR"] == str(Path(lms.env["LMS_DATA_DIR"]) / "caregiving" / "keys")
    assert values["CONTENT_DIR"].endswith("/caregiving_course/content")  # the course the package ships
    assert values["CONTENT_DIR"].startswith(lms.env["PYTHONPATH"].split(":")[0])  # the installed copy
    assert [values[f"HEARTBEAT_{n}_SECONDS"] for n in ("INTERVAL", "MAX_CREDIT", "IDLE")] == ["15", "30", "120"]
    assert values["LTI_HTTP_TIMEOUT"] == "(5.0, 20.0)" and values["LTI_JWKS_REFETCH_SECONDS"] == "30"
    assert values["USER_CACHE_SECONDS"] == "60" and values["XBLOCK_SETTINGS"] == "{}"
    assert "caregiving_course/locale" in values["LOCALE_PATHS"]


def test_the_projects_own_migrate_creates_our_tables_and_none_is_missing(lms):
    for app in ("learner_record", "caregiving_xblocks", "lti_bridge", "sync"):
        assert f"Applying {app}.0001_initial... OK" in lms.migrate_output
    check = lms.run("-m", "django", "makemigrations", "--check", "--dry-run")
    assert check.returncode == 0, check.stdout + check.stderr[-2000:]


def test_a_learners_beats_are_credited_and_every_module_completes(lms):
    modules = lms.driven["modules"]
    assert len(modules) == 8
    for module in modules:
        assert "failed_beat" not in module, module
        assert module["title_shown"] and module["check_status"] == 200 and module["passed"] is True
        assert module["completed"] is True
        assert module["credited_seconds"] == module["module_seconds"] > 0  # every beat's credit, and no more
    completions = [data for kind, event, data in lms.driven["events"] if event == "completion"]
    assert completions == [{"completion": 1.0}] * 8  # once per module, as the LMS's completion handler expects
    grades = [data for kind, event, data in lms.driven["events"] if event == "grade"]
    assert len(grades) == 8 and all(g["value"] == g["max_value"] for g in grades)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_progress_shows_the_credited_hours(lms):
    hours = Decimal(lms.driven["credited_hours"]["caregiving-badge"])
    assert hours == 14  # the eight modules' designed hours
    page = _text(lms.driven["progress_html"])
    assert "Modules completed: 8 of 8." in page and "Credited hours: 14 h of 14 h" in page


def test_the_instructor_sees_the_cohort_and_a_learner_does_not(lms):
    table = _text(lms.driven["dashboard_html"])
    assert "LMS fall cohort" in table
    assert re.search(r"Ada Lovelace ada@example\.org 8 / 8 \S+ h \S+ min 14 / 14 h earned", table), table[:2000]
    assert "Ada Lovelace" not in lms.driven["learner_dashboard_html"]


def test_badge_pages_and_lti_endpoints_answer_over_http(lms):
    assert lms.driven["sync"] == "all delivered"  # `manage.py caregiving_sync --once` issued the badge
    awards = {a["credential"]: a["id"] for a in lms.driven["awards"]}
    award = awards["caregiving-badge"]
    issuer = requests.get(f"{lms.url}/badges/issuer", timeout=30, headers={"Accept": "text/html"})
    assert issuer.status_code == 200 and "text/html" in issuer.headers["Content-Type"]
    page = requests.get(f"{lms.url}/badges/credentials/{award}", timeout=30, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Professional Practice in Caregiving" in page.text
    document = requests.get(f"{lms.url}/badges/credentials/{award}.json", timeout=30)
    assert document.status_code == 200 and document.json()["id"].startswith(f"{lms.url}/badges/")
    checked = requests.post(f"{lms.url}/badges/verify.json", data=document.content, timeout=30,
                            headers={"Content-Type": "application/json"}).json()
    assert checked["status"] == "valid" and checked["valid"] is True  # signed with the key under DATA_DIR
    tampered = document.json()
    tampered["credentialSubject"]["id"] = "urn:uuid:" + str(uuid.uuid4())
    checked = requests.post(f"{lms.url}/badges/verify.json", json=tampered, timeout=30).json()
    assert checked["valid"] is False
    verify = requests.get(f"{lms.url}/badges/verify", timeout=30)
    assert verify.status_code == 200 and "<form" in verify.text
    french = requests.get(f"{lms.url}/badges/verify", timeout=30, headers={"Accept-Language": "fr"})
    assert french.status_code == 200 and 'lang="fr"' in french.text
    unknown = requests.get(f"{lms.url}/badges/credentials/{uuid.uuid4()}", timeout=30)
    assert unknown.status_code == 404
    jwks = requests.get(f"{lms.url}/lti/jwks", timeout=30)
    assert jwks.status_code == 200 and jwks.json()["keys"]
