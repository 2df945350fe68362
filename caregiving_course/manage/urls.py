"""URLs of the administration pages (mounted at ``/manage/``)."""
from django.urls import path

from caregiving_course.manage import deliveries, issuer, offerings, overview, people, platforms

app_name = "manage"
urlpatterns = [
    path("", overview.overview, name="overview"),
    path("platforms/", platforms.platform_list, name="platforms"),
    path("platforms/invite/", platforms.invite, name="platform-invite"),
    path("platforms/<int:platform_id>/courses/", platforms.choose_courses, name="platform-courses"),
    path("platforms/<int:platform_id>/remove/", platforms.remove, name="platform-remove"),
    path("issuer/", issuer.issuer_page, name="issuer"),
    path("issuer/test/", issuer.connection_test, name="issuer-test"),
    path("deliveries/", deliveries.delivery_list, name="deliveries"),
    path("deliveries/<int:entry_id>/retry/", deliveries.retry, name="delivery-retry"),
    path("people/", people.people_list, name="people"),
    path("offerings/", offerings.offering_list, name="offerings"),
    path("offerings/<slug:cohort>/", offerings.offering_edit, name="offering-edit"),
    path("offerings/<slug:cohort>/code/", offerings.regenerate, name="offering-code"),
]
