"""The embedded server's app: its own pages here, the shared layout everywhere (an Open edX LMS plugin app)."""
from django.apps import AppConfig

from caregiving_course.plugin import declare_plugin_app

OUR_BACKEND = "caregiving_course.server.auth.FastModelBackend"  # caches users' rows; imports django-axes


class ServerConfig(AppConfig):
    name = "caregiving_course.server"
    label = "caregiving_server"
    verbose_name = "Caregiving server"
    plugin_app = declare_plugin_app()  # the layout, stylesheet and catalogues; the LMS keeps its home and sign-in pages

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        if OUR_BACKEND not in settings.AUTHENTICATION_BACKENDS:
            return  # a host (the LMS) signs in with its own backends (and may lack django-axes): nothing cached
        from caregiving_course.server.auth import forget_user

        user_model = get_user_model()
        post_save.connect(forget_user, sender=user_model, dispatch_uid="caregiving.forget_user.save")
        post_delete.connect(forget_user, sender=user_model, dispatch_uid="caregiving.forget_user.delete")
