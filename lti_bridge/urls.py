"""URLs of the lti_bridge package (mounted at ``/lti/``)."""
from django.urls import path

from lti_bridge import views, views_lti11

app_name = "lti_bridge"
urlpatterns = [
    path("login", views.login, name="login"),
    path("launch", views.launch, name="launch"),
    path("jwks", views.jwks, name="jwks"),
    path("deep-link", views.deep_link_respond, name="deep_link"),
    path("place", views.place, name="place"),
    path("register", views.register, name="register"),
    path("1.1/launch/<slug:module_id>/", views_lti11.launch, name="lti11_launch"),
]
