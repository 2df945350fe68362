from django.apps import AppConfig


class LtiBridgeConfig(AppConfig):
    name = "lti_bridge"
    label = "lti_bridge"
    verbose_name = "LTI bridge"
    default_auto_field = "django.db.models.BigAutoField"
