"""The HTTP server of ``caregiving serve``: waitress, with its event loop kept off a running task's output.

waitress reads requests on one event-loop thread and runs the application on worker threads. A worker
sends its response itself as it writes it (``send_bytes`` is 1); the event loop is only needed for what
a worker could not send (a slow client) and for the output of finished tasks. But stock waitress polls a
channel as writable whenever its buffer holds anything, including the moment between a worker's append
and that worker's own send. The loop then cannot take the buffer (the worker holds its lock), so it polls
again at once, round after round, holding the interpreter lock the worker needs to finish. Under a burst
of heartbeats we counted 125 passes of the loop per request, and the loop thread used as much CPU as
everything else the request did.

:class:`TaskSendsChannel` leaves a running task's output to the task until the buffer passes waitress's
high watermark (the worker then waits for the loop to drain it, as in stock waitress). Output still
buffered when the task ends is sent by the loop, as before.

waitress sends whatever body the application returns, and Django returns the GET body to a HEAD request:
:func:`without_head_bodies` drops it, or a client (or a proxy pooling connections to us) would read that body
as the answer to its next request.
"""
from __future__ import annotations

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server


class TaskSendsChannel(HTTPChannel):
    """waitress's HTTP channel, not polled as writable while its own task is sending."""

    def writable(self) -> bool:
        if self.requests and self.total_outbufs_len < self.adj.outbuf_high_watermark:
            return bool(self.will_close or self.close_when_flushed)
        return bool(super().writable())


def without_head_bodies(application):
    """``application`` answering HEAD requests with the status and headers of GET, and no body."""

    def head_aware(environ, start_response):
        result = application(environ, start_response)
        if environ.get("REQUEST_METHOD") != "HEAD":
            return result
        if hasattr(result, "close"):
            result.close()
        return []

    return head_aware


def create(application, **adjustments):
    """A waitress server for ``application`` (listening, not yet running) whose channels are
    :class:`TaskSendsChannel`, HEAD answered without a body. ``adjustments`` are waitress's (host, port, threads,
    ident, ...)."""
    socket_map: dict = {}
    server = create_server(without_head_bodies(application), map=socket_map, **adjustments)
    for listener in list(socket_map.values()):
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = TaskSendsChannel
    return server


def serve(application, **adjustments) -> None:
    """Serve ``application`` until interrupted (see :func:`create`)."""
    create(application, **adjustments).run()
