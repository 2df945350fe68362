"""URLs of the xblocks package."""

app_name = "xblocks"
urlpatterns: list = []
