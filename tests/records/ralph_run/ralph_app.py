"""Ralph's LRS app as the tests run it (imported by Ralph's own Python, not ours).

Ralph 5.1.0's filesystem LRS backend writes with its default operation, CREATE, which refuses to write to a
file that exists: every statement after the first is answered 500 "Statement indexation failed". Its own
APPEND operation is what an LRS file needs, so it is made the default here; nothing else is changed.
"""
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402 - after the backend's default is set

__all__ = ["app"]
