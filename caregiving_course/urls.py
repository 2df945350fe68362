"""URL map of the embedded server. Each package mounts its own URLs under one prefix."""
from django.contrib import admin
from django.urls import include, path

from sync.views import did_document

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("course/", include("xblocks.urls")),  # module pages, progress, instructor dashboard, block handlers
    path("lti/", include("lti_bridge.urls")),  # LTI 1.3 / 1.1 endpoints and JWKS
    path("badges/", include("sync.urls")),  # public issuer, badge and verification pages
    path(".well-known/did.json", did_document, name="did-web"),  # the badge issuer's did:web document
    path("did.json", did_document),  # the same, where the base URL has a path (did:web:host:path)
    path("workbench/", include("workbench.urls")),  # XBlock workbench (scenarios), for authors and tests
    path("", include("caregiving_course.server.urls")),  # home, sign up, sign in
]
