"""Settings the sync reads, set when it is loaded as an Open edX LMS plugin app."""
from caregiving_course.plugin import course_settings, site_settings

CREDENTIAL_READ = "https://purl.imsglobal.org/spec/clr/v2p0/scope/credential.readonly"
CLR_SCOPES = {CREDENTIAL_READ: "Permission to read the learner's Comprehensive Learner Record (CLR 2.0)"}
TOOLKIT_SCOPES = {"read": "Reading scope", "write": "Writing scope"}  # django-oauth-toolkit's defaults


def plugin_settings(settings) -> None:
    """Our public URL (badge links), the keys folder (issuer key, sealed secrets), the course (credentials) and
    the CLR 2.0 API's OAuth 2.0 scope."""
    site_settings(settings)
    course_settings(settings)
    oauth_settings(settings)


def clr_oauth_provider() -> dict:
    """django-oauth-toolkit's settings for the CLR 2.0 API alone: the authorization code grant with PKCE."""
    return {"SCOPES": dict(CLR_SCOPES), "DEFAULT_SCOPES": [CREDENTIAL_READ], "PKCE_REQUIRED": True,
            "ACCESS_TOKEN_EXPIRE_SECONDS": 3600}


def oauth_settings(settings) -> None:
    """The CLR scope in django-oauth-toolkit's ``OAUTH2_PROVIDER``. An Open edX LMS runs its own OAuth 2.0 server
    on the same toolkit: its settings are kept and our scope added to them (our consent page asks for PKCE
    itself). Without such a host, ours: the authorization code grant with PKCE, the CLR scope only."""
    current = getattr(settings, "OAUTH2_PROVIDER", None)
    if current is None:
        settings.OAUTH2_PROVIDER = clr_oauth_provider()
    else:
        current["SCOPES"] = {**current.get("SCOPES", TOOLKIT_SCOPES), **CLR_SCOPES}
