"""The OAuth 2.0 authorization server of the CLR 2.0 API (django-oauth-toolkit), mounted at ``/oauth/``.

Only the authorization code grant's endpoints: no application management pages (clients register
through the CLR API's dynamic registration).
"""
from django.urls import path
from oauth2_provider import views

from sync.clr_service import ConsentView

app_name = "clr-oauth"  # not django-oauth-toolkit's "oauth2_provider": an Open edX LMS mounts its own under it

urlpatterns = [
    path("authorize/", ConsentView.as_view(), name="authorize"),
    path("token/", views.TokenView.as_view(), name="token"),
    path("revoke_token/", views.RevokeTokenView.as_view(), name="revoke-token"),
]
