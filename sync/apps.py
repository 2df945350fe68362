"""The sync's Django app (an Open edX LMS plugin app): badge deliveries, the public badge pages, the learner's
CLR download and the CLR 2.0 API (``sync.plugin_urls``)."""
from django.apps import AppConfig

from caregiving_course.plugin import declare_plugin_app


class SyncConfig(AppConfig):
    name = "sync"
    label = "sync"
    verbose_name = "Sync"
    default_auto_field = "django.db.models.BigAutoField"
    plugin_app = declare_plugin_app(lms_root_urls="plugin_urls")  # /badges/, /records/, /ims/clr/v2p0/, /oauth/

    def ready(self) -> None:
        from caregiving_course.learner_record import providers
        from sync import public, wakeup
        from sync.delivery import register_default_handlers

        register_default_handlers()
        wakeup.connect_signal()
        providers.provide_badges(public.badges_for_learner)  # the record's badges service lists them
        providers.provide_record_download(public.clr_download_url)  # and where a learner downloads their CLR
