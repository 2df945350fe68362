"""Settings the sync reads, set when it is loaded as an Open edX LMS plugin app."""
from caregiving_course.plugin import course_settings, site_settings


def plugin_settings(settings) -> None:
    """Our public URL (badge links), the keys folder (issuer key, sealed secrets) and the course (credentials)."""
    site_settings(settings)
    course_settings(settings)
