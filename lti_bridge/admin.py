"""Admin pages for partner platforms, their deployments and the resource links launches created."""
from django import forms
from django.contrib import admin

from caregiving_course.learner_record import api
from lti_bridge.models import Deployment, LaunchLearner, Platform, ResourceLink


class DeploymentForm(forms.ModelForm):
    """A deployment's cohort name must be a valid cohort name (it reaches cohorts through launches)."""

    class Meta:
        model = Deployment
        fields = ("deployment_id", "cohort_name")

    def clean_cohort_name(self) -> str:
        name = self.cleaned_data.get("cohort_name", "")
        if name:
            try:
                api.check_cohort_name(name)
            except api.RecordError as exc:
                raise forms.ValidationError(str(exc)) from None
        return name


class DeploymentInline(admin.TabularInline):
    model = Deployment
    form = DeploymentForm
    extra = 1
    fields = ("deployment_id", "cohort_name")


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("name", "issuer", "client_id", "active", "key_set_fetched_at")
    list_filter = ("active",)
    search_fields = ("name", "issuer", "client_id")
    fields = ("name", "issuer", "client_id", "auth_login_url", "auth_token_url", "key_set_url", "token_audience",
              "active", "all_courses", "course_ids", "key_set_fetched_at")
    readonly_fields = ("key_set_fetched_at",)
    inlines = [DeploymentInline]


@admin.register(ResourceLink)
class ResourceLinkAdmin(admin.ModelAdmin):
    list_display = ("resource_link_id", "deployment", "context_title", "module_id", "cohort_name")
    list_filter = ("deployment__platform",)
    search_fields = ("resource_link_id", "context_id", "context_title", "module_id")
    readonly_fields = ("lineitems_url", "lineitem_url", "ags_scopes", "nrps_url")


@admin.register(LaunchLearner)
class LaunchLearnerAdmin(admin.ModelAdmin):
    list_display = ("subject", "learner_id", "resource_link", "last_launch_at")
    search_fields = ("subject",)
    readonly_fields = ("resource_link", "learner_id", "subject", "last_launch_at")

    def has_add_permission(self, request) -> bool:
        """Launches create these rows; an empty form would have nothing to save (every field is read-only)."""
        return False
