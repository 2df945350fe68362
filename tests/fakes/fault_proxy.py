"""A fault-injecting HTTP proxy in front of a real server (the Ralph LRS in tests/records): the badge
platforms' fault profile for a server we did not write.

Faults, each for the next ``times`` requests matching a method and path prefix:
``"500"`` / ``"429"`` (any status; ``retry_after`` sets the header) answered without forwarding;
``"drop_after_commit"`` forwards the request (the server stores it) and then drops the connection unanswered.
:meth:`down` makes the proxy drop every connection unanswered for a while (a server that is down).
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import ThreadingHTTPServer

import requests

from tests.fakes.http import FakeHandler


@dataclass
class Fault:
    method: str
    path: str
    kind: str
    times: int = 1
    retry_after: str | None = None


class FaultProxy:
    def __init__(self, upstream: str):
        self.upstream = upstream.rstrip("/")
        self.faults: list[Fault] = []
        self.down_until = 0.0
        self.lock = threading.Lock()
        self.stats: Counter = Counter()
        self.session = requests.Session()
        proxy = self

        class Handler(FakeHandler):
            def do_GET(self) -> None:
                proxy._handle(self, "GET")

            def do_PUT(self) -> None:
                proxy._handle(self, "PUT")

            def do_POST(self) -> None:
                proxy._handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FaultProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, method: str, path: str, kind: str, *, times: int = 1, retry_after: str | None = None) -> None:
        with self.lock:
            self.faults.append(Fault(method, path, kind, times, retry_after))

    def down(self, seconds: float) -> None:
        with self.lock:
            self.down_until = time.monotonic() + seconds

    def _take(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.method == method and path.startswith(fault.path) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _handle(self, handler: FakeHandler, method: str) -> None:
        body = handler._body()
        with self.lock:
            down = time.monotonic() < self.down_until
            self.stats[f"{method} {'down' if down else 'up'}"] += 1
        if down:
            handler._drop()
            return
        fault = self._take(method, handler.path)
        if fault is not None and fault.kind != "drop_after_commit":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            handler._send(int(fault.kind), {"detail": f"injected {fault.kind}"}, headers=headers)
            return
        skip = ("host", "content-length", "connection")
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in skip}
        answer = self.session.request(method, self.upstream + handler.path, data=body, headers=headers, timeout=30)
        if fault is not None:  # drop_after_commit: the server has stored it; the client never hears
            handler._drop()
            return
        handler._send(answer.status_code, answer.content, content_type=answer.headers.get("Content-Type", ""),
                      headers={k: v for k, v in answer.headers.items() if k.lower().startswith("x-experience")})
