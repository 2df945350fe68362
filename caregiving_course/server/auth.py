"""Signing in with Django's model backend, reading the signed-in user with a statement compiled once.

Every request of a signed-in user reads the user's row, and every open module page sends a heartbeat
every few seconds: building that one query through the ORM each time cost more than running it. The
statement, its column converters and the field names are compiled once per database connection by the
ORM itself; each request only binds the id, runs the statement and builds the user with
``Model.from_db``. The checks are Django's own (``is_active`` through ``user_can_authenticate``, then
the session's password hash in ``django.contrib.auth.get_user``), so nothing about who may sign in
changes.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router


@dataclass(frozen=True)
class _Statement:
    sql: str
    attnames: list[str]
    converters: dict
    compiler: object


_statements: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection -> _Statement


def _statement(user_model, alias: str, connection) -> _Statement:
    found = _statements.get(connection)
    if found is None:
        query = user_model._default_manager.using(alias).filter(pk=0).query
        compiler = query.get_compiler(alias)
        sql, _params = compiler.as_sql()
        columns = [column for column, _sql, _alias in compiler.select]
        found = _Statement(sql, [c.target.attname for c in columns], compiler.get_converters(columns), compiler)
        _statements[connection] = found
    return found


def read_user(user_id):
    """The user with this primary key (as the session holds it), or None."""
    user_model = get_user_model()
    try:
        pk = user_model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    alias = router.db_for_read(user_model)
    connection = connections[alias]
    statement = _statement(user_model, alias, connection)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [user_model._meta.pk.get_db_prep_value(pk, connection)])
        row = cursor.fetchone()
    if row is None:
        return None
    if statement.converters:
        row = next(iter(statement.compiler.apply_converters([row], statement.converters)))
    return user_model.from_db(alias, statement.attnames, row)


class FastModelBackend(ModelBackend):
    """Django's ModelBackend; only ``get_user`` (every request) reads through :func:`read_user`."""

    def get_user(self, user_id):
        user = read_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
