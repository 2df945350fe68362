"""URLs of the learner's records that leave the system (mounted at ``/records/``)."""
from django.urls import path

from sync import records_views

app_name = "records"

urlpatterns = [
    path("clr.json", records_views.clr_download, name="clr-download"),
]
