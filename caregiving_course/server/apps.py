from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "caregiving_course.server"
    label = "caregiving_server"
    verbose_name = "Caregiving server"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from caregiving_course.server.auth import forget_user

        user_model = get_user_model()
        post_save.connect(forget_user, sender=user_model, dispatch_uid="caregiving.forget_user.save")
        post_delete.connect(forget_user, sender=user_model, dispatch_uid="caregiving.forget_user.delete")
