"""`caregiving serve`: the whole product in one process (waitress WSGI server, XBlocks, LTI, scheduler)."""
from __future__ import annotations

import argparse
import importlib
import logging
import os

from caregiving_course.cli.database import ensure_migrated
from caregiving_course.cli.errors import CommandError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the web server with the course loaded (creates the database on first start)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    p.add_argument("--no-scheduler", action="store_true", help="do not run the sync scheduler in this process")
    p.set_defaults(func=serve)


def served_base_url(host: str, port: int) -> str:
    """The base URL of the server ``serve`` runs, when ``CAREGIVING_BASE_URL`` does not name one ('' when it does):
    the host served (loopback when every address is), and the port served."""
    if os.environ.get("CAREGIVING_BASE_URL"):
        return ""
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 - compared, not bound
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def serve(args: argparse.Namespace) -> int:
    from django.conf import settings

    from caregiving_course.framework import catalogue
    from caregiving_course.learner_record import api
    from caregiving_course.server import http_server
    from caregiving_course.wsgi import application

    if not 0 < args.port < 65536:
        raise CommandError(f"--port must be between 1 and 65535 (got {args.port})")
    settings.WORKBENCH_ENABLED = False  # the XBlock workbench is for development only, never served (urls.py)
    base_url = served_base_url(args.host, args.port)
    if base_url:  # links in pages, badges and LTI point at the server actually running
        settings.BASE_URL = os.environ["CAREGIVING_BASE_URL"] = base_url
    ensure_migrated(verbose=True)
    loaded = catalogue()  # fails here, with the file and rule named, if the content is broken
    api.record_courses(loaded.courses)  # each version served, so a module a later one drops keeps its name
    for course in loaded.courses:
        credentials = len(course.credentials)
        print(f"Course loaded: {course.title} ({len(course.modules)} modules, {course.total_hours.normalize():f} h, "
              f"{credentials} credential{'' if credentials == 1 else 's'})")
    if not args.no_scheduler:
        try:
            importlib.import_module("sync.scheduler").start_embedded()
            print("Sync scheduler running in this process.")
        except ModuleNotFoundError:
            pass
    db = settings.DATABASES["default"]
    print(f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    if base_url:
        print(f"Public URL: {base_url} (from --port; set CAREGIVING_BASE_URL to the address people use, "
              "e.g. behind a proxy)")
    else:
        print(f"Public URL: {settings.BASE_URL} (CAREGIVING_BASE_URL)")
    print(f"Serving on http://{args.host}:{args.port}/  (Ctrl+C stops)", flush=True)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    try:
        http_server.serve(application, host=args.host, port=args.port, threads=args.threads, ident="caregiving",
                          max_request_body_size=settings.MAX_REQUEST_BODY_BYTES, **_proxy_adjustments(settings))
    except OSError as exc:
        raise CommandError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}; "
                           "choose another --port or stop what uses it") from None
    return 0


def _proxy_adjustments(settings) -> dict:
    """Behind a TLS proxy, waitress takes the scheme and the client's address from the proxy's
    X-Forwarded-Proto and X-Forwarded-For (only when they come from ``CAREGIVING_TRUSTED_PROXY``, default
    127.0.0.1); otherwise it drops those headers, so no client can claim https or another address."""
    if not settings.BEHIND_TLS_PROXY:
        return {}
    return {"trusted_proxy": settings.TRUSTED_PROXY, "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-for"}}


