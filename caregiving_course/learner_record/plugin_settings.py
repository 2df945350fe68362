"""Settings the learner record reads, set when it is loaded as an Open edX plugin app (LMS and CMS)."""
from caregiving_course.plugin import course_settings


def plugin_settings(settings) -> None:
    """The course content it evaluates against and the hours policy of the heartbeats it records."""
    course_settings(settings)
