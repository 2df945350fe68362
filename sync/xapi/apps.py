"""The xAPI app: registers the outbox handler of ``xapi.statement``, the statements queued with each record
(:mod:`sync.xapi.live`) and the feed that follows each award evaluation (a safety net)."""
from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

from caregiving_course.plugin import declare_plugin_app


class XapiConfig(AppConfig):
    name = "sync.xapi"
    label = "xapi"
    verbose_name = "xAPI statements to learning record stores"
    default_auto_field = "django.db.models.BigAutoField"
    plugin_app = declare_plugin_app()  # an Open edX LMS plugin app: no pages; `caregiving lrs` via manage.py

    def ready(self) -> None:
        from caregiving_course.learner_record import signals
        from sync import scheduler
        from sync.xapi import live
        from sync.xapi.delivery import register
        from sync.xapi.feed import queue_new
        from sync.xapi.models import LrsEndpoint

        register()
        if queue_new not in scheduler.AFTER_EVALUATION:  # the statements of records made since the last run
            scheduler.AFTER_EVALUATION.append(queue_new)
        for signal, receiver in ((signals.module_launched, live.on_launched),
                                 (signals.section_viewed, live.on_section_viewed),
                                 (signals.knowledge_check_answered, live.on_knowledge_check),
                                 (signals.module_completed, live.on_completed),
                                 (signals.instructor_recorded, live.on_instructor_record),
                                 (signals.award_earned, live.on_award),
                                 (signals.award_revoked, live.on_award)):
            signal.connect(receiver, dispatch_uid=f"xapi.{receiver.__name__}")
        for signal in (post_save, post_delete):
            signal.connect(live.forget_stores, sender=LrsEndpoint, dispatch_uid=f"xapi.forget_stores.{id(signal)}")
