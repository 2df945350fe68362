"""Signing in with Django's model backend, the signed-in user's row kept in the cache for a minute.

Every request of a signed-in user needs the user's row, and every open module page sends a heartbeat
every few seconds. Reading that row was the costliest part of a heartbeat: on a busy server each read
also hands the interpreter to other threads and back. So the row is kept in Django's cache (the
session cache: process memory, or Redis shared by several processes) for ``USER_CACHE_SECONDS``:

- saving or deleting a user through the ORM drops its row at once (and again when the transaction
  commits, so a reader in between cannot put the old row back for long);
- a change that bypasses the ORM's signals (``QuerySet.update``, SQL, or another process when the
  cache is per process, as with ``caregiving user remove`` beside a running server) takes effect when
  the row expires, within ``USER_CACHE_SECONDS`` (``CAREGIVING_USER_CACHE_SECONDS``; 0 reads every time).

A hit builds the user from the cached row with ``Model.from_db``; a miss is an ordinary ORM read. The
checks are Django's own on every request (``is_active`` through
``user_can_authenticate``, then the session's password hash in ``django.contrib.auth.get_user``), so
nothing about who may sign in changes except how fresh the row is.

Signing in first asks django-axes whether the account or the client address is locked out after too many
failures (see :mod:`caregiving_course.server.throttle`); one backend does both, so a session names one backend.
"""
from __future__ import annotations

import functools

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import router, transaction


def cache_key(pk) -> str:
    return f"caregiving.user.{pk}"


@functools.cache
def _attnames(user_model) -> list[str]:
    return [field.attname for field in user_model._meta.concrete_fields]


def read_user(user_id):
    """The user with this primary key (as the session holds it), or None; a new instance every call."""
    user_model = get_user_model()
    try:
        pk = user_model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    attnames = _attnames(user_model)
    seconds = settings.USER_CACHE_SECONDS
    row = cache.get(cache_key(pk)) if seconds > 0 else None
    if row is not None:
        return user_model.from_db(router.db_for_read(user_model), attnames, row)
    user = user_model._default_manager.filter(pk=pk).first()
    if user is not None and seconds > 0:
        cache.set(cache_key(pk), tuple(getattr(user, name) for name in attnames), seconds)
    return user


def forget_user(sender, instance, **kwargs) -> None:
    """(post_save / post_delete of the user model) drop the cached row now and when the change commits."""
    key = cache_key(instance.pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key), using=kwargs.get("using"))


class FastModelBackend(AxesStandaloneBackend, ModelBackend):
    """Django's ModelBackend behind django-axes's lockout check; ``get_user`` (every request) reads through
    :func:`read_user` (cached)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None:  # raises PermissionDenied while the account or the address is locked out
            AxesStandaloneBackend.authenticate(self, request, username, password, **kwargs)
        return ModelBackend.authenticate(self, request, username, password, **kwargs)

    def get_user(self, user_id):
        user = read_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
