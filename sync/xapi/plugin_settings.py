"""Settings the xAPI app reads, set when it is loaded as an Open edX LMS plugin app."""
from caregiving_course.plugin import course_settings, site_settings


def plugin_settings(settings) -> None:
    """Our public URL (activity ids), the keys folder (the LRS passwords are sealed with it) and the course."""
    site_settings(settings)
    course_settings(settings)
