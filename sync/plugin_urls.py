"""Every URL of the sync, each under its prefix and in its own namespace: mounted at the root of our server
(``caregiving_course.urls``) and of an Open edX LMS (the sync app's ``url_config``)."""
from django.urls import include, path

urlpatterns = [
    path("badges/", include("sync.urls")),  # public issuer, badge and verification pages
    path("records/", include("sync.records_urls")),  # learner records to take away (CLR 2.0)
    path("ims/clr/v2p0/", include("sync.clr_service_urls")),  # CLR 2.0 API (getCredentials, discovery)
    path("oauth/", include("sync.oauth_urls")),  # its OAuth 2.0 server (django-oauth-toolkit)
]
