"""The xAPI app: registers the outbox handler of ``xapi.statement`` and the live knowledge-check statements."""
from django.apps import AppConfig


class XapiConfig(AppConfig):
    name = "sync.xapi"
    label = "xapi"
    verbose_name = "xAPI statements to learning record stores"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from caregiving_course.learner_record import signals
        from sync import scheduler
        from sync.xapi import live
        from sync.xapi.delivery import register
        from sync.xapi.feed import queue_new

        register()
        if queue_new not in scheduler.AFTER_EVALUATION:  # the statements of records made since the last run
            scheduler.AFTER_EVALUATION.append(queue_new)
        signals.knowledge_check_answered.connect(live.on_knowledge_check, dispatch_uid="xapi.knowledge_check")
