"""URLs of the lti_bridge package."""

app_name = "lti_bridge"
urlpatterns: list = []
