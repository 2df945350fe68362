"""Settings the LTI bridge reads, set when it is loaded as an Open edX LMS plugin app."""
from caregiving_course.plugin import site_settings


def plugin_settings(settings) -> None:
    """Our public URL and keys folder, and the limits of our calls to partner platforms (seconds)."""
    site_settings(settings)
    defaults = {
        "LTI_HTTP_TIMEOUT": (5.0, 20.0),  # (connect, read) for score and roster calls
        "LTI_FETCH_TIMEOUT": (5.0, 10.0),  # (connect, read) for a platform's key set and registration
        "LTI_JWKS_REFETCH_SECONDS": 30,  # the least time between two fetches of one platform's keys
        "LTI_TOKEN_MAX_LIFETIME": 24 * 3600,  # the longest we keep a platform's access token
    }
    for name, value in defaults.items():
        if not hasattr(settings, name):
            setattr(settings, name, value)
