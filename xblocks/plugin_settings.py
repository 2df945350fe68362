"""Settings the blocks' Django app reads, set when it is loaded as an Open edX plugin app (LMS and CMS)."""
from caregiving_course.plugin import course_settings


def plugin_settings(settings) -> None:
    """The course, the hours policy, and ``XBLOCK_SETTINGS`` (per block type, as Open edX keeps them)."""
    course_settings(settings)
    if not isinstance(getattr(settings, "XBLOCK_SETTINGS", None), dict):
        settings.XBLOCK_SETTINGS = {}
