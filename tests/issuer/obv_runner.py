"""Run the 1EdTech Open Badges 2.0 validator (PyPI ``openbadges``) on one input; executed by its own venv.

    .venv-obv/bin/python tests/issuer/obv_runner.py URL|FILE [RECIPIENT_EMAIL]

A FILE is read as bytes (a baked PNG or SVG) or, if it holds JSON, as text. The validator fetches
every URL itself over HTTP (our live test server on 127.0.0.1). The one exception is the Open Badges
2.0 JSON-LD context at w3id.org, which this machine cannot reach: it is answered with the copy the
validator package itself ships. Prints the validator's report as JSON; exit 0 when it says valid.

Baked SVGs are unbaked with the validator's own bakery first: on Python 3 its SVG path hands the
``verify`` URL on as bytes, which its input detection does not recognise (a Python 2 leftover).
"""
import io
import json
import sys

import requests
from openbadges import verify
from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT, OPENBADGES_CONTEXT_V2_URI
from openbadges_bakery import unbake

_send = requests.adapters.HTTPAdapter.send


def _offline_context(adapter, request, **kwargs):
    if request.url.rstrip("/") == OPENBADGES_CONTEXT_V2_URI:
        response = requests.Response()
        response.status_code, response.url, response.request = 200, request.url, request
        response.headers["Content-Type"] = "application/ld+json"
        response._content = json.dumps(OPENBADGES_CONTEXT_V2_DICT).encode()
        return response
    return _send(adapter, request, **kwargs)


def main() -> int:
    requests.adapters.HTTPAdapter.send = _offline_context
    target = sys.argv[1]
    recipient = {"email": sys.argv[2]} if len(sys.argv) > 2 else None
    if target.startswith(("http://", "https://")):
        badge_input = target
    else:
        data = open(target, "rb").read()
        if data.lstrip().startswith(b"{"):
            badge_input = data.decode()
        elif target.endswith(".svg"):
            found = unbake(io.BytesIO(data))
            badge_input = found.decode() if isinstance(found, bytes) else found
        else:
            badge_input = io.BytesIO(data)
            badge_input.name = target
    report = verify(badge_input, recipient_profile=recipient, use_cache=False)
    print(json.dumps(report["report"], indent=1))
    return 0 if report["report"].get("valid") else 1


if __name__ == "__main__":
    sys.exit(main())
