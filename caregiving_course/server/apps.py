from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "caregiving_course.server"
    label = "caregiving_server"
    verbose_name = "Caregiving server"
