"""NRPS roster, partner isolation, Dynamic Registration round trip, cartridge export, the platform CLI."""
from __future__ import annotations

import html
import json
import re
import zipfile
from urllib.parse import urlencode

import pytest
import requests
from lxml import etree

from tests.fakes.lti_platform import INSTRUCTOR, LEARNER, LTI, FakePlatform
from tests.lti.conftest import form_fields, new_browser, register

CUSTOM = {LTI + "custom": {"module_id": "caregiver-role"}}
pytestmark = pytest.mark.database  # single-use claims, isolation and registration storage on every database


def _dashboard_call(tool: str, page: str, handler: str, data: dict, *, token: str | None = None) -> requests.Response:
    """Call a handler of the dashboard block on ``page`` as its script does in a partner's iframe whose browser
    dropped our cookies: no cookie, only the page's signed session token (or ``token``) in ``X-LTI-Session``."""
    prefix = html.unescape(re.search(r"data-handler-prefix='([^']+)'", page).group(1))
    token = token if token is not None else html.unescape(re.search(r'data-lti-session="([^"]+)"', page).group(1))
    return requests.post(tool + prefix.replace("/HANDLER/", f"/{handler}/"), json=data,
                         headers={"X-LTI-Session": token}, timeout=10)


def _member(user_id: str, role: str = LEARNER, status: str = "Active") -> dict:
    return {"user_id": user_id, "roles": [role], "status": status, "name": f"Member {user_id}",
            "email": f"{user_id}@example.org"}


@pytest.mark.django_db(transaction=True)
def test_instructor_loads_the_roster_page_by_page(registered, fake, browser):
    fake.nrps_page_size = 2
    fake.memberships["course-1"] = [_member("m1"), _member("m2"), _member("m3"), _member("t1", INSTRUCTOR),
                                    _member("gone", status="Inactive")]
    dashboard = browser.launch(fake, "teacher-1", roles=[INSTRUCTOR])
    assert dashboard.status_code == 200, dashboard.text
    assert "cg-dash" in dashboard.text and "Load roster from LMS" in dashboard.text  # the dashboard block
    cohort = html.unescape(re.search(r'data-cohort="([^"]+)"', dashboard.text).group(1))
    answer = _dashboard_call(browser.tool, dashboard.text, "load_roster", {"cohort": cohort})
    assert answer.status_code == 200, answer.text
    assert answer.json()["message"].startswith("3 learners enrolled")
    table = _dashboard_call(browser.tool, dashboard.text, "table", {"cohort": cohort}).json()["html"]
    for name in ("Member m1", "Member m2", "Member m3"):
        assert name in table
    assert "Member t1" not in table and "Member gone" not in table
    assert sum(1 for r in fake.requests if r.path.startswith("/nrps/")) == 3
    assert sum(1 for r in fake.requests if r.path == "/token") == 1

    from caregiving_course.learner_record.models import Identity

    assert Identity.objects.get(subject="m1").issuer == fake.issuer
    # a later launch of a rostered member is the same learner
    learners = Identity.objects.count()
    assert new_browser(browser.tool).launch(fake, "m1", overrides=CUSTOM).status_code == 200
    assert Identity.objects.count() == learners


@pytest.mark.django_db(transaction=True)
def test_roster_refused_without_instructor_credentials(registered, fake, browser, tool_url):
    learner_page = browser.launch(fake, "learner-1", overrides=CUSTOM)
    assert learner_page.status_code == 200
    dashboard = new_browser(tool_url).launch(fake, "teacher-1", roles=[INSTRUCTOR]).text
    cohort = __import__("lti_bridge.models", fromlist=["ResourceLink"]).ResourceLink.objects.get().cohort_name
    learners_token = html.unescape(re.search(r'data-lti-session="([^"]+)"', learner_page.text).group(1))
    for token in ("", "forged", learners_token):
        answer = _dashboard_call(tool_url, dashboard, "load_roster", {"cohort": cohort}, token=token)
        assert answer.status_code == 403, token
    assert not any(r.path.startswith("/nrps/") for r in fake.requests)


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_opens_on_the_launching_course_and_records_hours_without_cookies(registered, fake, browser):
    """An instructor who teaches two courses of the LMS sees the one they launched from, and can record
    practicum hours from inside the iframe with only the page's signed token."""
    assert browser.launch(fake, "learner-2", overrides=CUSTOM, context_id="course-2").ok
    browser.launch(fake, "teacher-1", roles=[INSTRUCTOR])
    second = browser.launch(fake, "teacher-1", roles=[INSTRUCTOR], context_id="course-2").text
    from caregiving_course.framework import catalogue
    from caregiving_course.learner_record.models import InstructorRecord, Learner
    from lti_bridge.embed import cohort_name
    from lti_bridge.models import Deployment

    cohort = cohort_name(Deployment.objects.get(deployment_id=fake.deployment_id), "course-2")
    assert re.search(rf'<option value="{cohort}" selected>', second) and second.count("<option value=\"lti-") == 2
    learner = Learner.objects.get(name="User learner-2")
    practicum = next(c.id for cred in catalogue().credentials for c in cred.components
                     if c.evidence == "hours")
    answer = _dashboard_call(browser.tool, second, "record_hours",
                             {"learner_id": learner.pk, "component": practicum, "hours": "3", "date": "2026-11-20",
                              "note": "", "request_id": "launch-test-1"})
    assert answer.status_code == 200, answer.text
    assert InstructorRecord.objects.get(learner=learner).hours == 3


@pytest.mark.django_db(transaction=True)
def test_roster_service_failure_is_reported_not_a_500(registered, fake, browser):
    from tests.fakes.lti_platform import Answer

    fake.route("GET", r"/nrps/(?P<context>[^/]+)", lambda request, context: Answer(500, {"error": "down"}))
    dashboard = browser.launch(fake, "teacher-1", roles=[INSTRUCTOR]).text
    cohort = html.unescape(re.search(r'data-cohort="([^"]+)"', dashboard).group(1))
    answer = _dashboard_call(browser.tool, dashboard, "load_roster", {"cohort": cohort})
    assert answer.status_code == 400 and "HTTP 500" in answer.json()["errors"]["form"]


@pytest.mark.django_db(transaction=True)
def test_partners_are_isolated(registered, fake, browser, tool_url):
    other = FakePlatform(client_id="other-client", deployment_id="other-dep", name="Other LMS").start()
    try:
        register(other)
        assert new_browser(tool_url).launch(fake, "a-learner", overrides={**CUSTOM, "name": "Alpha"}).ok
        assert new_browser(tool_url).launch(other, "b-learner", overrides={**CUSTOM, "name": "Beta"}).ok
        mine = browser.launch(fake, "teacher-a", roles=[INSTRUCTOR])
        theirs = new_browser(tool_url).launch(other, "teacher-b", roles=[INSTRUCTOR])
        assert "Alpha" in mine.text and "Beta" not in mine.text
        assert "Beta" in theirs.text and "Alpha" not in theirs.text
        # the same context id on both platforms is still two cohorts
        from lti_bridge.models import ResourceLink

        assert len(set(ResourceLink.objects.values_list("cohort_name", flat=True))) == 2
        # an instructor's token for their cohort does not open the other partner's cohort
        other_cohort = ResourceLink.objects.get(deployment__platform__client_id="other-client").cohort_name
        for handler in ("load_roster", "table"):
            answer = _dashboard_call(tool_url, mine.text, handler, {"cohort": other_cohort})
            assert answer.status_code == 403, handler
    finally:
        other.stop()


# --- Dynamic Registration -------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_dynamic_registration_round_trip_then_launch(fake, tool_url, browser):
    from lti_bridge import registration
    from lti_bridge.models import Platform

    invite = registration.invitation_url(tool_url, label="Spark University")
    url = invite + "&" + urlencode({"openid_configuration": f"{fake.base}/.well-known/openid-configuration",
                                    "registration_token": fake.registration_token})
    page = browser.session.get(url, timeout=10)
    assert page.status_code == 200 and fake.issuer in page.text
    action, fields = form_fields(page.text)
    done = browser.session.post(tool_url + action, data=fields, timeout=10)
    assert done.status_code == 200, done.text
    assert "org.imsglobal.lti.close" in done.text
    sent = fake.registrations[-1]
    config = sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]
    assert sent["initiate_login_uri"] == f"{tool_url}/lti/login" and sent["jwks_uri"] == f"{tool_url}/lti/jwks"
    assert sent["token_endpoint_auth_method"] == "private_key_jwt"
    assert {m["type"] for m in config["messages"]} == {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
    platform = Platform.objects.get(issuer=fake.issuer)
    assert platform.name == "Spark University" and platform.client_id == fake.client_id
    assert list(platform.deployments.values_list("deployment_id", flat=True)) == [fake.deployment_id]
    assert browser.launch(fake, "learner-dr", overrides=CUSTOM).status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change,reason", [
    ({"invite": "forged"}, "not valid"),
    ({"openid_configuration": ""}, "openid_configuration"),
    ({"openid_configuration": "file:///etc/passwd"}, "could not be completed"),
    ({"openid_configuration": "http://127.0.0.1:9/nothing"}, "could not be completed"),
])
def test_bad_registration_requests_are_refused(fake, tool_url, change, reason):
    from urllib.parse import parse_qs, urlsplit

    from lti_bridge import registration

    invite = parse_qs(urlsplit(registration.invitation_url(tool_url)).query)["invite"][0]
    params = {"invite": invite, "openid_configuration": f"{fake.base}/.well-known/openid-configuration",
              "registration_token": fake.registration_token, **change}
    answer = requests.get(f"{tool_url}/lti/register?{urlencode(params)}", timeout=10)
    assert answer.status_code == 400 and reason in html.unescape(answer.text)


@pytest.mark.django_db(transaction=True)
def test_registration_refused_by_the_platform_is_logged_not_shown(fake, tool_url, caplog):
    from urllib.parse import parse_qs, urlsplit

    from lti_bridge import registration
    from lti_bridge.models import Platform

    invite = parse_qs(urlsplit(registration.invitation_url(tool_url)).query)["invite"][0]
    answer = requests.post(f"{tool_url}/lti/register", data={
        "invite": invite, "openid_configuration": f"{fake.base}/.well-known/openid-configuration",
        "registration_token": "wrong"}, timeout=10)
    assert answer.status_code == 400 and "could not be completed" in answer.text
    assert "refused the registration" not in answer.text and "HTTP 401" not in answer.text
    assert any("refused the registration (HTTP 401)" in r.getMessage() for r in caplog.records)
    assert not Platform.objects.exists()


# --- cartridge -------------------------------------------------------------------------------------------------

def test_cartridge_parses_back_with_one_lti_link_per_module(tmp_path, course):
    from lti_bridge import cartridge

    path = cartridge.export_cartridge(course, tmp_path / "course.imscc", "https://tool.example.org")
    with zipfile.ZipFile(path) as archive:
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
        ns = {"cp": cartridge.CP, "lom": cartridge.LOM_MANIFEST}
        assert manifest.findtext("cp:metadata/cp:schemaversion", namespaces=ns) == "1.3.0"
        assert manifest.findtext("cp:metadata/lom:lom/lom:general/lom:title/lom:string",
                                 namespaces=ns) == course.title
        resources = manifest.findall("cp:resources/cp:resource", ns)
        assert len(resources) == len(course.modules)
        items = manifest.findall("cp:organizations/cp:organization/cp:item/cp:item", ns)
        assert [i.get("identifierref") for i in items] == [r.get("identifier") for r in resources]
        for module, resource in zip(course.modules, resources, strict=True):
            assert resource.get("type") == "imsbasiclti_xmlv1p3"
            href = resource.find("cp:file", ns).get("href")
            link = etree.fromstring(archive.read(href))
            lns = {"cc": cartridge.LTICC, "blti": cartridge.BLTI, "lticm": cartridge.LTICM}
            assert link.tag == f"{{{cartridge.LTICC}}}cartridge_basiclti_link"
            assert link.findtext("blti:title", namespaces=lns) == module.title
            assert link.findtext("blti:launch_url", namespaces=lns) == "https://tool.example.org/lti/launch"
            assert link.findtext("blti:secure_launch_url", namespaces=lns) == "https://tool.example.org/lti/launch"
            assert link.find("blti:custom/lticm:property[@name='module_id']", lns).text == module.id


# --- CLI ------------------------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_platform_cli_add_list_show_remove(capsys):
    from caregiving_course.cli.main import main

    args = ["platform", "add", "--name", "Spark", "--issuer", "https://lms.spark.example", "--client-id", "c1",
            "--deployment-id", "d1", "--deployment-id", "d2", "--auth-url", "https://lms.spark.example/auth",
            "--token-url", "https://lms.spark.example/token", "--jwks-url", "https://lms.spark.example/jwks"]
    assert main(args) == 0
    assert "registered platform" in capsys.readouterr().out
    assert main([*args[:-2], "--jwks-url", "https://lms.spark.example/jwks2"]) == 0
    assert "updated platform" in capsys.readouterr().out
    assert main(["platform", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["deployments"] == ["d1", "d2"] and rows[0]["jwks_url"].endswith("/jwks2")
    assert main(["platform", "show", "https://lms.spark.example"]) == 0
    assert json.loads(capsys.readouterr().out)["client_id"] == "c1"
    assert main(["platform", "remove", str(rows[0]["id"]), "--yes"]) == 0
    assert main(["platform", "show", str(rows[0]["id"])]) == 2
    assert "no platform" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_platform_cli_refuses_bad_urls(capsys):
    from caregiving_course.cli.main import main

    code = main(["platform", "add", "--name", "x", "--issuer", "not a url", "--client-id", "c", "--auth-url",
                 "https://a", "--token-url", "https://a", "--jwks-url", "https://a"])
    assert code == 2 and "--issuer must be" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_platform_invite_prints_a_registration_url(capsys):
    from caregiving_course.cli.main import main

    assert main(["platform", "invite", "--base-url", "https://tool.example.org", "--label", "Spark"]) == 0
    assert capsys.readouterr().out.startswith("https://tool.example.org/lti/register?invite=")


def test_registration_request_for_canvas_carries_its_placements_and_privacy_level():
    from lti_bridge import registration

    config = {"issuer": "https://canvas.instructure.com", "scopes_supported": registration.SCOPES[:1],
              registration.PLATFORM_CONFIG: {"product_family_code": "canvas"}}
    body = registration.tool_registration("https://tool.example.org/", config)
    tool = body[registration.TOOL_CONFIG]
    deep_link = next(m for m in tool["messages"] if m["type"] == "LtiDeepLinkingRequest")
    assert deep_link["placements"] == ["link_selection", "assignment_selection"]
    assert tool["https://canvas.instructure.com/lti/privacy_level"] == "public"
    assert body["scope"] == registration.SCOPES[0]  # only scopes the platform supports
    assert tool["domain"] == "tool.example.org"


@pytest.mark.django_db(transaction=True)
def test_admin_pages_list_platforms_and_links(registered, fake, browser, admin_client):
    assert browser.launch(fake, "learner-1", overrides=CUSTOM).status_code == 200
    for page in ("platform", "resourcelink", "launchlearner"):
        response = admin_client.get(f"/admin/lti_bridge/{page}/")
        assert response.status_code == 200, page
    assert fake.issuer in admin_client.get("/admin/lti_bridge/platform/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_refusal_page_speaks_french(registered, fake, browser):
    browser.session.headers["Accept-Language"] = "fr"
    response = browser.launch(fake, "learner-fr", variant="alg_none")
    assert response.status_code == 401
    assert "Ce lancement n’a pas pu aboutir" in response.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language,heading,instruction", [
    ("en-CA", "A registration link for a learning platform", "paste the address there"),
    ("fr-CA", "Un lien d'inscription pour une plateforme d'apprentissage", "collez-y l'adresse"),
])
def test_registration_link_opened_in_a_browser_says_what_it_is_for(tool_url, language, heading, instruction):
    from lti_bridge import registration

    answer = requests.get(registration.invitation_url(tool_url, label="Spark"), timeout=10,
                          headers={"Accept-Language": language})
    assert answer.status_code == 400  # nothing registered: the platform's openid_configuration is missing
    text = html.unescape(answer.text)
    assert heading in text and instruction in text
    assert "Go back to your course" not in text and "Retournez" not in text
