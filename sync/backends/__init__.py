"""Issuing backends: one module each, found by the ``BACKEND`` class it defines.

Adding a platform (Open Badge Factory, say) means one new module here with a subclass of
:class:`sync.backends.base.IssuingBackend` assigned to ``BACKEND``; the CLI (``caregiving issuer
set NAME ...``) and the delivery handlers pick it up from its ``name`` and ``SETTINGS``.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from sync.backends.base import IssuingBackend

_NOT_BACKENDS = {"base", "handlers", "http", "oauth"}


@cache
def available() -> dict[str, type[IssuingBackend]]:
    """Every backend class by name, found by scanning this package."""
    found: dict[str, type[IssuingBackend]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name in _NOT_BACKENDS or info.name.startswith("_"):
            continue
        cls = getattr(importlib.import_module(f"{__name__}.{info.name}"), "BACKEND", None)
        if cls is not None:
            found[cls.name] = cls
    return found
