"""The CLR 2.0 API, mounted at ``/ims/clr/v2p0/`` (see :mod:`sync.clr_service`)."""
from django.urls import path

from sync import clr_service

app_name = "clr-api"

urlpatterns = [
    path("discovery", clr_service.discovery, name="discovery"),
    path("register", clr_service.register, name="register"),
    path("credentials", clr_service.credentials, name="credentials"),
]
