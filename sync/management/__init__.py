"""Management commands of the sync (``manage.py lms caregiving_sync`` in Open edX)."""
