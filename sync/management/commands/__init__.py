"""``caregiving_sync``: the sync scheduler, or one pass of it, inside a host Django project."""
