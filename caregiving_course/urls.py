"""URL map of the embedded server. Each package mounts its own URLs under one prefix.

The XBlock workbench (``/workbench/``: scenarios for block authors, its own admin and state table) is mounted
only in development (``CAREGIVING_WORKBENCH=1``); ``caregiving serve`` never mounts it.
"""
from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from sync.views import did_document

urlpatterns = [
    path("admin/", admin.site.urls),
    path("manage/", include("caregiving_course.manage.urls")),  # administrators: platforms, issuer, deliveries, people
    path("favicon.ico", RedirectView.as_view(url=static("caregiving/favicon.svg"), permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("course/", include("xblocks.urls")),  # module pages, progress, instructor dashboard, block handlers
    path("lti/", include("lti_bridge.urls")),  # LTI 1.3 / 1.1 endpoints and JWKS
    path("", include("sync.plugin_urls")),  # /badges/ (public badge pages), /records/, /ims/clr/v2p0/, /oauth/ (CLR)
    path(".well-known/did.json", did_document, name="did-web"),  # the badge issuer's did:web document
    path("did.json", did_document),  # the same, where the base URL has a path (did:web:host:path)
    path("", include("caregiving_course.server.urls")),  # home, sign up, sign in
]
if settings.WORKBENCH_ENABLED:
    urlpatterns.insert(-1, path("workbench/", include("workbench.urls")))  # for block authors and tests

# Error pages in the site's layout and the reader's language (caregiving_course.server.errors).
handler400 = "caregiving_course.server.errors.bad_request"
handler403 = "caregiving_course.server.errors.permission_denied"
handler404 = "caregiving_course.server.errors.page_not_found"
handler500 = "caregiving_course.server.errors.server_error"
