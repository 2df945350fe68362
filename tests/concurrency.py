"""Races for tests: run calls in threads that start together, each with its own database connection."""
from __future__ import annotations

import threading
from collections.abc import Callable


def run_in_threads(calls: list[Callable[[], object]]) -> tuple[list, list[BaseException]]:
    """Run each call in its own thread, all released at once; returns (their results, the exceptions raised).

    Each thread closes its database connections when done, as a server thread would at the end of a request.
    """
    from django.db import connections

    barrier, results, errors = threading.Barrier(len(calls)), [], []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results.append(call())
        except Exception as exc:  # returned to the test, which asserts on it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
