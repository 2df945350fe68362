"""Settings the learner record adds when installed as an Open edX LMS plugin app."""


def plugin_settings(settings) -> None:
    settings.HEARTBEAT_INTERVAL_SECONDS = getattr(settings, "HEARTBEAT_INTERVAL_SECONDS", 15)
    settings.HEARTBEAT_MAX_CREDIT_SECONDS = getattr(settings, "HEARTBEAT_MAX_CREDIT_SECONDS", 30)
    settings.HEARTBEAT_IDLE_SECONDS = getattr(settings, "HEARTBEAT_IDLE_SECONDS", 120)
