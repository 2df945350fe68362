"""The learner record's Django app (also an Open edX LMS and CMS plugin app)."""
from django.apps import AppConfig

from caregiving_course.plugin import declare_plugin_app


class LearnerRecordConfig(AppConfig):
    name = "caregiving_course.learner_record"
    label = "learner_record"
    verbose_name = "Learner record"
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = declare_plugin_app(cms=True)  # no pages of its own
