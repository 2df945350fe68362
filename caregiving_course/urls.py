"""URL map of the embedded server. Each package mounts its own URLs under one prefix.

The XBlock workbench (``/workbench/``: scenarios for block authors, its own admin and state table) is mounted
only in development (``CAREGIVING_WORKBENCH=1``); ``caregiving serve`` never mounts it.
"""
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("course/", include("xblocks.urls")),  # module pages, progress, instructor dashboard, block handlers
    path("lti/", include("lti_bridge.urls")),  # LTI 1.3 / 1.1 endpoints and JWKS
    path("badges/", include("sync.urls")),  # public issuer, badge and verification pages
    path("", include("caregiving_course.server.urls")),  # home, sign up, sign in
]
if settings.WORKBENCH_ENABLED:
    urlpatterns.insert(-1, path("workbench/", include("workbench.urls")))  # for block authors and tests
