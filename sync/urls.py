"""Public URLs of the built-in issuer, mounted at ``/badges/`` (see :mod:`sync.issuer.links`)."""
from django.urls import path, re_path

from sync import views

app_name = "sync"
SLUG = r"(?P<credential_id>[a-z0-9][a-z0-9-]{0,63})"
UUID = r"(?P<award_id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"

urlpatterns = [
    path("issuer", views.issuer_profile, name="issuer"),
    path("issuer/jwk", views.issuer_jwk, name="issuer-jwk"),
    re_path(rf"^achievements/{SLUG}$", views.achievement, name="achievement"),
    path("credentials/<uuid:award_id>", views.credential_page, name="credential"),
    path("credentials/<uuid:award_id>.json", views.credential_json, name="credential-json"),
    path("credentials/<uuid:award_id>.jwt", views.credential_jwt, name="credential-jwt"),
    path("status/<int:number>", views.status_list, name="status-list"),
    re_path(rf"^images/{SLUG}\.(?P<ext>png|svg)$", views.badge_image, name="image"),
    path("v2/issuer", views.issuer_v2, name="issuer-v2"),
    re_path(rf"^v2/badgeclasses/{SLUG}$", views.badgeclass_v2, name="badgeclass-v2"),
    path("v2/assertions/<uuid:award_id>", views.assertion_v2, name="assertion-v2"),
    re_path(rf"^v2/assertions/{UUID}\.(?P<ext>png|svg)$", views.baked_image, name="baked"),
    path("verify", views.verify_page, name="verify"),
    path("verify.json", views.verify_api, name="verify-api"),
]
