from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    label = "sync"
    verbose_name = "Sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from caregiving_course.learner_record import providers
        from sync import public
        from sync.delivery import register_default_handlers

        register_default_handlers()
        providers.provide_badges(public.badges_for_learner)  # the record's badges service lists them
        providers.provide_record_download(public.clr_download_url)  # and where a learner downloads their CLR
