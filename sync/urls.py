"""URLs of the sync package."""

app_name = "sync"
urlpatterns: list = []
