"""The outbox handler of ``xapi.statement``: PUT the statement to its LRS under its own id.

A statement's id comes from the record it tells about, so sending it again (a retry, a lost answer, a second
worker) stores nothing new: the LRS answers 204 for the same statement. An LRS that holds a different
statement under that id (409) is a conflict for an administrator, never resent.
"""
from __future__ import annotations

import requests

from caregiving_course.learner_record.delivery import Permanent, RetryLater, raise_for_response, register_handler
from sync.xapi.models import LrsEndpoint

KIND = "xapi.statement"
VERSION = "1.0.3"
TIMEOUT = (5, 30)
_session = requests.Session()  # keep-alive to each LRS


def statements_url(endpoint: str) -> str:
    return f"{endpoint.rstrip('/')}/statements"


def put_statement(lrs: LrsEndpoint, statement: dict, session: requests.Session | None = None) -> requests.Response:
    """One PUT of ``statement`` (its id in the query, as xAPI 1.0.3 asks)."""
    return (session or _session).put(statements_url(lrs.endpoint), params={"statementId": statement["id"]},
                                     json=statement, auth=(lrs.username, lrs.password), timeout=TIMEOUT,
                                     headers={"X-Experience-API-Version": VERSION})


def prepare(entries: list) -> None:
    """Load the LRS rows of a claimed batch in one query."""
    rows = LrsEndpoint.objects.in_bulk({e.payload.get("lrs") for e in entries})
    for entry in entries:
        entry.lrs_row = rows.get(entry.payload.get("lrs"))


def deliver(entry) -> dict:
    if not hasattr(entry, "lrs_row"):
        prepare([entry])
    lrs = entry.lrs_row
    if lrs is None:
        raise Permanent("xapi: the LRS of this statement was removed")
    statement = entry.payload["statement"]
    try:
        response = put_statement(lrs, statement)
    except (requests.ConnectionError, requests.Timeout) as exc:  # it may have been stored: the same PUT is safe
        raise RetryLater(f"xapi {lrs.name}: no answer", answer=type(exc).__name__, ambiguous=True) from None
    if response.status_code == 409:
        raise Permanent(f"xapi {lrs.name}: the LRS holds a different statement with this id",
                        answer=response.text[:300])
    raise_for_response(response, what=f"xapi {lrs.name}")
    return {"remote_id": statement["id"], "lrs": lrs.name}


def register() -> None:
    register_handler(KIND, deliver, prepare=prepare, replace=True)
