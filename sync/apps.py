from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    label = "sync"
    verbose_name = "Sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sync import wakeup
        from sync.delivery import register_default_handlers

        register_default_handlers()
        wakeup.connect_signal()
