"""The LTI bridge's Django app (an Open edX LMS plugin app); provides the outbox handlers of LTI scores."""
from django.apps import AppConfig

from caregiving_course.plugin import declare_plugin_app


class LtiBridgeConfig(AppConfig):
    name = "lti_bridge"
    label = "lti_bridge"
    verbose_name = "LTI bridge"
    default_auto_field = "django.db.models.BigAutoField"
    plugin_app = declare_plugin_app(lms_urls=("lti_bridge", "lti"))  # /lti/: login, launch, JWKS, registration

    def ready(self) -> None:
        from caregiving_course.learner_record import providers
        from caregiving_course.learner_record.delivery import register_handler
        from caregiving_course.learner_record.signals import module_completed
        from lti_bridge import ags, nrps, outcomes, scores

        module_completed.connect(scores.queue_scores, dispatch_uid="lti_bridge.scores")
        providers.provide_roster(nrps.load_roster, errors=(nrps.RosterError,))  # the record's roster service
        # a score the platform accepted is recorded within the next score's request, so a crash re-sends at most
        # one (in doubt; the platform keeps one result per timestamp); each attempt is committed during the previous
        # score's request (sync.pipeline)
        register_handler(scores.SCORE_KIND, ags.deliver, record_at_once=True)
        register_handler(scores.OUTCOME_KIND, outcomes.deliver, record_at_once=True)
