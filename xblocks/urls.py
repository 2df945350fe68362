"""URLs of the course (mounted at /course/): pages, block handlers and block resources."""
from django.urls import path

from xblocks import views

app_name = "xblocks"
urlpatterns = [
    path("", views.course_index, name="index"),
    path("module/<slug:module_id>/", views.module_page, name="module"),
    path("progress/", views.progress_page, name="progress"),
    path("progress/show-name/", views.show_name, name="show_name"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("xblock/<str:token>/<str:handler_name>/", views.handler, name="handler"),
    path("xblock/<str:token>/<str:handler_name>/<path:suffix>", views.handler, name="handler_suffix"),
    path("resource/<path:name>", views.resource, name="resource"),
    path("block-resource/<str:block_type>/<path:uri>", views.block_resource, name="block_resource"),
    path("ping", views.ping, name="ping"),
]
