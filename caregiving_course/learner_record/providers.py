"""What other apps lend the learner record's XBlock services, registered in their ``AppConfig.ready``.

The record never imports those apps: the sync registers how a learner's badges are listed (with their share and
verify links) and the LTI bridge how a cohort's roster is loaded from its LMS. Without them, the badges service
lists no badges and the roster service says it cannot load rosters.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class RosterError(Exception):
    """A roster could not be loaded; the message says why, for the instructor."""


@dataclass(frozen=True)
class RosterResult:
    """What loading a roster did: learners enrolled and members skipped."""

    enrolled: int
    skipped: int


_badge_lister: list[Callable] = []
_roster_loader: list[tuple[Callable, tuple[type[Exception], ...]]] = []


def provide_badges(lister: Callable) -> None:
    """Register ``lister(learner) -> list[dict]`` (title, status, url, verify_url...); the last one registered wins."""
    _badge_lister[:] = [lister]


def provide_roster(loader: Callable, errors: tuple[type[Exception], ...] = ()) -> None:
    """Register ``loader(cohort)`` (returning an object with ``enrolled`` and ``skipped``); the exceptions in
    ``errors`` it raises are reported as :class:`RosterError`. The last one registered wins."""
    _roster_loader[:] = [(loader, errors)]


def badge_lister() -> Callable | None:
    return _badge_lister[0] if _badge_lister else None


def roster_loader() -> tuple[Callable, tuple[type[Exception], ...]] | None:
    return _roster_loader[0] if _roster_loader else None
