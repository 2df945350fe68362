"""The HTTP server of `caregiving serve` (caregiving_course.server.http_server): waitress whose event loop
leaves a running task's output to the task, and still delivers every byte to slow clients."""
from __future__ import annotations

import socket
import threading
import types

import pytest
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel

from caregiving_course.server import http_server


@pytest.fixture
def channel():
    """A TaskSendsChannel on one end of a socket pair, outside any event loop."""
    ours, theirs = socket.socketpair()
    server = types.SimpleNamespace(active_channels={})
    made = http_server.TaskSendsChannel(server, ours, ("127.0.0.1", 0), Adjustments(), map={})
    yield made
    ours.close()
    theirs.close()


def buffer(channel, size: int) -> None:
    channel.outbufs[-1].append(b"x" * size)
    channel.total_outbufs_len += size


def test_a_running_tasks_small_output_is_left_to_the_task(channel):
    channel.requests = [object()]
    buffer(channel, 300)  # the worker appended its headers and is about to send them itself
    assert HTTPChannel.writable(channel)  # stock waitress would poll it, and spin until the worker sends
    assert not channel.writable()


def test_the_loop_sends_what_a_finished_task_left_and_drains_a_full_buffer(channel):
    assert not channel.writable()
    buffer(channel, 300)
    assert channel.writable()  # no task any more: the loop sends the rest
    channel.requests = [object()]
    buffer(channel, channel.adj.outbuf_high_watermark)
    assert channel.writable()  # the worker waits for the loop to drain the buffer
    channel.total_outbufs_len = 0
    channel.will_close = True
    assert channel.writable()  # closing is always the loop's business


SIZE = 32 * 1024 * 1024  # more than the kernel's socket buffers and the server's high watermark together


def _large(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(SIZE))])
    return (b"x" * 65536 for _ in range(SIZE // 65536))


def _receive_all(port: int, *, wait_before_reading: float) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as client:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        client.sendall(b"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        threading.Event().wait(wait_before_reading)  # the worker fills the socket and its buffer meanwhile
        chunks = []
        while chunk := client.recv(1 << 16):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_slow_client_gets_a_response_larger_than_the_buffer_limit():
    """The worker outruns the client, passes the high watermark and waits for the loop to drain it: if the
    loop left the buffer to the task, the worker would wait forever and the client would time out."""
    server = http_server.create(_large, host="127.0.0.1", port=0, threads=2, ident="test",
                                outbuf_high_watermark=256 * 1024)
    loop = threading.Thread(target=server.run, daemon=True)
    loop.start()
    try:
        response = _receive_all(server.effective_port, wait_before_reading=0.5)
    finally:
        server.task_dispatcher.shutdown(timeout=5)
        server.close()
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"Server: test" in head
    assert len(body) == SIZE and body.count(b"x") == SIZE
