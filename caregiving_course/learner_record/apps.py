from django.apps import AppConfig


class LearnerRecordConfig(AppConfig):
    name = "caregiving_course.learner_record"
    label = "learner_record"
    verbose_name = "Learner record"
    default_auto_field = "django.db.models.BigAutoField"

    # Open edX LMS plugin app configuration (edx-django-utils plugin contract).
    plugin_app = {
        "url_config": {},
        "settings_config": {"lms.djangoapp": {"common": {"relative_path": "plugin_settings"}}},
    }
