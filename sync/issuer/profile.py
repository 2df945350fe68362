"""Who issues: the college's name, home page and contact address, from the environment with defaults.

``CAREGIVING_ISSUER_NAME``, ``CAREGIVING_ISSUER_URL``, ``CAREGIVING_ISSUER_EMAIL`` and
``CAREGIVING_ISSUER_DESCRIPTION`` override them. The contact address is the institution's (Open
Badges 2.0 requires one on an Issuer); no learner's address is ever published.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Issuer:
    name: str
    url: str
    email: str
    description: str


def issuer() -> Issuer:
    url = os.environ.get("CAREGIVING_ISSUER_URL", "https://www.canadorecollege.ca/")
    host = (urlsplit(url).hostname or "example.org").removeprefix("www.")
    return Issuer(
        name=os.environ.get("CAREGIVING_ISSUER_NAME", "Canadore College"),
        url=url,
        email=os.environ.get("CAREGIVING_ISSUER_EMAIL", f"badges@{host}"),
        description=os.environ.get(
            "CAREGIVING_ISSUER_DESCRIPTION",
            "Microcredentials of the course Professional Practice in Caregiving."),
    )
