"""The xAPI app: registers the outbox handler of ``xapi.statement``."""
from django.apps import AppConfig


class XapiConfig(AppConfig):
    name = "sync.xapi"
    label = "xapi"
    verbose_name = "xAPI statements to learning record stores"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sync.xapi.delivery import register

        register()
