"""Issue 21, SSRF through Dynamic Registration: the bridge calls public addresses only (after DNS, on every
connection), unless an administrator allows a host; the registration endpoint shares the configuration's origin;
an invitation registers once; the browser gets one generic error and the log the detail."""
from __future__ import annotations

import html
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from tests.fakes.lti_platform import Answer
from tests.lti.conftest import form_fields

pytestmark = pytest.mark.django_db(transaction=True)
GENERIC = "could not be completed"


def _invite(tool_url: str) -> str:
    from lti_bridge import registration

    return parse_qs(urlsplit(registration.invitation_url(tool_url)).query)["invite"][0]


def _config_url(fake) -> str:
    return f"{fake.base}/.well-known/openid-configuration"


def _get(tool_url: str, invite: str, config_url: str, token: str = "t") -> requests.Response:  # noqa: S107
    return requests.get(f"{tool_url}/lti/register?" + urlencode(
        {"invite": invite, "openid_configuration": config_url, "registration_token": token}), timeout=10)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_is_refused_unless_allowed_even_through_a_name(fake, tool_url, settings, caplog, host):
    settings.ALLOW_PRIVATE_HOSTS = []
    answer = _get(tool_url, _invite(tool_url), _config_url(fake).replace("127.0.0.1", host))
    assert answer.status_code == 400 and GENERIC in html.unescape(answer.text)
    assert "127.0.0.1" not in answer.text and "resolves" not in answer.text  # no detail for the browser
    assert not [r for r in fake.requests if r.path.endswith("openid-configuration")]
    assert any("non-public address" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]/",
                                 "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/", "http://100.64.0.1/"])
def test_private_and_link_local_destinations_are_refused_before_connecting(settings, url):
    from lti_bridge.fetch import FetchError, fetch

    settings.ALLOW_PRIVATE_HOSTS = []
    with pytest.raises(FetchError, match="not public"):
        fetch("GET", url, limit=1000)


def test_public_addresses_are_public():
    from lti_bridge.destinations import is_public

    assert is_public("93.184.216.34") and is_public("2606:2800:220:1:248:1893:25c8:1946")
    assert not any(is_public(a) for a in ("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                          "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1", "224.0.0.1", "0.0.0.0"))  # noqa: S104


def test_a_redirect_is_never_followed(fake, settings):
    """An allowed host answering a redirect to another (loopback) address: the bridge does not go there."""
    from lti_bridge.fetch import fetch

    hits = []
    fake.route("GET", "/moved", lambda request: Answer(302, b"", {"Location": f"{fake.base}/secret"}))
    fake.route("GET", "/secret", lambda request: hits.append(1) or Answer(200, {"secret": True}))
    answer = fetch("GET", f"{fake.base}/moved", limit=1000)
    assert answer.status == 302 and hits == []


def test_the_registration_endpoint_must_share_the_configuration_origin(fake, tool_url, caplog):
    other = "http://localhost:9/register"
    config = fake._openid_config(None).body
    fake.route("GET", "/.well-known/openid-configuration",
               lambda request: Answer(200, {**config, "registration_endpoint": other}))
    answer = _get(tool_url, _invite(tool_url), _config_url(fake), fake.registration_token)
    assert answer.status_code == 400 and GENERIC in html.unescape(answer.text)
    assert any("registration endpoint is not on the origin" in r.getMessage() for r in caplog.records)


def test_an_invitation_registers_once(fake, tool_url, browser):
    from lti_bridge.models import Platform

    invite = _invite(tool_url)
    page = browser.session.get(f"{tool_url}/lti/register?" + urlencode({
        "invite": invite, "openid_configuration": _config_url(fake),
        "registration_token": fake.registration_token}), timeout=10)
    action, fields = form_fields(page.text)
    assert browser.session.post(tool_url + action, data=fields, timeout=10).status_code == 200
    again = requests.post(tool_url + action, data=fields, timeout=10)
    assert again.status_code == 400 and "already been used" in html.unescape(again.text)
    assert _get(tool_url, invite, _config_url(fake)).status_code == 400
    assert len(fake.registrations) == 1 and Platform.objects.count() == 1


def test_an_invitation_without_its_single_use_id_is_refused(fake, tool_url):
    from django.core import signing

    from lti_bridge import registration

    old_style = signing.dumps({"label": "x"}, salt=registration.INVITE_SALT)  # reusable invitations of before
    answer = _get(tool_url, old_style, _config_url(fake))
    assert answer.status_code == 400 and "not valid" in html.unescape(answer.text)
