"""Serve the LMS-style project on 127.0.0.1 at a free port (printed as ``port N``), until terminated.

The port is bound before Django loads the settings, so the project's ``LMS_ROOT_URL`` (and so the links our
apps publish) is this server's own address.
"""
from __future__ import annotations

import os
import sys

from waitress import create_server


def main() -> int:
    application = {}

    def app(environ, start_response):
        return application["wsgi"](environ, start_response)

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    os.environ["LMS_ROOT_URL"] = f"http://127.0.0.1:{server.effective_port}"
    from django.core.wsgi import get_wsgi_application

    application["wsgi"] = get_wsgi_application()
    print(f"port {server.effective_port}", flush=True)
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
