"""URL map of the embedded server. Each package mounts its own URLs under one prefix."""
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("manage/", include("caregiving_course.manage.urls")),  # administrators: platforms, issuer, deliveries, people
    path("favicon.ico", RedirectView.as_view(url=static("caregiving/favicon.svg"), permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("course/", include("xblocks.urls")),  # module pages, progress, instructor dashboard, block handlers
    path("lti/", include("lti_bridge.urls")),  # LTI 1.3 / 1.1 endpoints and JWKS
    path("badges/", include("sync.urls")),  # public issuer, badge and verification pages
    path("workbench/", include("workbench.urls")),  # XBlock workbench (scenarios), for authors and tests
    path("", include("caregiving_course.server.urls")),  # home, sign up, sign in
]
