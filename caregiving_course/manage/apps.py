"""The administration app; it also trims Django's admin to what administrators need."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

INTERNAL_MODELS = ("workbench.XBlockState", "lti_bridge.LaunchLearner")  # written by the software, not by people


class ManageConfig(AppConfig):
    name = "caregiving_course.manage"
    label = "caregiving_manage"
    verbose_name = _("Administration")

    def ready(self) -> None:
        from django.apps import apps
        from django.contrib import admin

        for label in INTERNAL_MODELS:  # kept registered (the workbench links to its change list), not listed
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            if admin.site.is_registered(model):
                shown = type(admin.site.get_model_admin(model))
                admin.site.unregister(model)
                admin.site.register(model, type(f"Unlisted{shown.__name__}", (shown,), {
                    "has_module_permission": lambda self, request: False}))
        admin.site.site_header = _("Professional Practice in Caregiving: data administration")
        admin.site.site_title = _("Professional Practice in Caregiving")
        admin.site.index_title = _("Records and settings")
        admin.site.site_url = "/manage/"
