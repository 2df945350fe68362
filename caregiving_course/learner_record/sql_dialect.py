"""The few SQL spellings that differ between SQLite, PostgreSQL and MariaDB/MySQL.

The set-based award writer needs them: a random UUID made by the database, JSON objects and
arrays built by the database, an insert that skips rows a unique constraint refuses, string concatenation
and a UUID as text with dashes. Only identifiers, numbers and fixed SQL are formatted into these
fragments; values travel as query parameters.
"""
from __future__ import annotations

import json

from django.db import connection


def _vendor() -> str:
    return connection.vendor


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def integer(expr: str) -> str:
    """``expr`` (a whole number) as an integer column: PostgreSQL's and MariaDB's sums of integers are decimals."""
    kind = {"postgresql": "BIGINT", "mysql": "SIGNED"}.get(_vendor(), "INTEGER")
    return f"CAST({expr} AS {kind})"


def ids_parameter(ids: list[int]) -> list[int] | str | None:
    """A list of integer ids as one query parameter: an array on PostgreSQL (planning 10,000 literals cost it
    10-50 ms a list), a JSON array on SQLite (cheaper to read than 10,000 literals); None on MariaDB, which
    takes them as literals (see :func:`in_ids`)."""
    if _vendor() == "postgresql":
        return ids
    if _vendor() == "sqlite":
        return json.dumps(ids)
    return None


def in_ids(column: str, ids: list[int], placeholder: str | None) -> str:
    """``column`` is one of ``ids``: through ``placeholder``, bound to :func:`ids_parameter` of them, where the
    database takes one; else as integer literals."""
    if placeholder is None:
        return f"{column} IN ({', '.join(map(str, ids)) or 'NULL'})"
    if _vendor() == "postgresql":
        return f"{column} = ANY({placeholder})"
    return f"{column} IN (SELECT value FROM json_each({placeholder}))"  # noqa: S608 (a placeholder)


def without_index(column: str) -> str:
    """``column`` as a term SQLite will not answer through an index (its unary ``+``; other databases' planners
    weigh this themselves). For a filter that keeps most rows, where an index probe per value costs more than
    checking each row the scan reads anyway."""
    return f"+{column}" if _vendor() == "sqlite" else column


def concat(*parts: str) -> str:
    if _vendor() == "mysql":
        return f"CONCAT({', '.join(parts)})"
    return "(" + " || ".join(parts) + ")"


def random_uuid() -> str:
    """A version 4 UUID as the UUID column stores it (32 hex digits on SQLite).

    Each random part is drawn by its own call: a subquery drawing 16 bytes once and cutting them
    up would not do, as SQLite copies the subquery's expression into each place that reads it.
    """
    if _vendor() == "postgresql":
        return "gen_random_uuid()"
    if _vendor() == "mysql":  # RANDOM_BYTES: MariaDB 10.10+ and MySQL 5.6+
        hexes, variant, lower = "HEX(RANDOM_BYTES({}))", "SUBSTRING('89AB', 1 + FLOOR(RAND() * 4), 1)", "LOWER"
    else:
        hexes, variant, lower = "hex(randomblob({}))", "substr('89AB', 1 + (random() & 3), 1)", "lower"
    # 12 + '4' + 3 + variant + 15 hex digits: the version and variant bits of a random UUID
    parts = concat(hexes.format(6), "'4'", f"substr({hexes.format(2)}, 2)", variant, f"substr({hexes.format(8)}, 2)")
    return f"{lower}({parts})"


def uuid_text(column: str) -> str:
    """The UUID in ``column`` as canonical text with dashes."""
    if _vendor() == "postgresql":
        return f"{column}::text"
    if _vendor() == "mysql" and connection.features.has_native_uuid_field:
        return f"CAST({column} AS CHAR)"
    pieces = [f"substr({column}, {start}, {length})" for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))]
    return concat(*[p for piece in pieces for p in (piece, "'-'")][:-1])


def json_object(*pairs: tuple[str, str]) -> str:
    """A JSON object from (key literal, SQL expression) pairs."""
    fn = {"postgresql": "jsonb_build_object", "mysql": "JSON_OBJECT"}.get(_vendor(), "json_object")
    args = ", ".join(f"'{key}', {expr}" for key, expr in pairs)
    return f"{fn}({args})"


def json_references(kind: str, record_id: str) -> str:
    """The aggregate collecting a group's ``(kind, record_id)`` rows as a JSON array of ``{"kind", "id"}`` objects.

    ``kind`` must give plain words (no quote or backslash: the evidence kinds, which the caller's
    filter fixes) and ``record_id`` integers. PostgreSQL's jsonb builders cost about 2 us a row, a
    fifth of a second for 10,000 awards of 8 records, so there the array is written as text and
    parsed once per group.
    """
    if _vendor() == "postgresql":
        entry = f"""'{{"kind": "' || {kind} || '", "id": ' || {record_id} || '}}'"""
        return f"('[' || string_agg({entry}, ', ') || ']')::jsonb"
    fn = "JSON_ARRAYAGG" if _vendor() == "mysql" else "json_group_array"
    return f"{fn}({json_object(('kind', kind), ('id', record_id))})"


def insert_ignoring_conflicts(table: str, columns: list[str], select: str, returning: str = "") -> str:
    """``INSERT INTO table (columns) select`` that skips rows a unique constraint refuses.

    ``select`` must have a WHERE clause (SQLite cannot otherwise parse the ``ON CONFLICT`` after it).
    """
    cols = ", ".join(quote(c) for c in columns)
    tail = f" RETURNING {returning}" if returning else ""
    if _vendor() == "mysql":
        return f"INSERT IGNORE INTO {quote(table)} ({cols}) {select}{tail}"
    return f"INSERT INTO {quote(table)} ({cols}) {select} ON CONFLICT DO NOTHING{tail}"


def string_list(column: str) -> str:
    """The aggregate joining a group's values of ``column`` (words without spaces) with spaces, in any order."""
    if _vendor() == "postgresql":
        return f"string_agg({column}, ' ')"
    if _vendor() == "mysql":
        return f"GROUP_CONCAT({column} SEPARATOR ' ')"
    return f"group_concat({column}, ' ')"


def prepare_string_list(cursor) -> None:
    """Let :func:`string_list` return a long list whole (MySQL and MariaDB cut GROUP_CONCAT at 1,024 bytes)."""
    if _vendor() == "mysql":
        cursor.execute("SET SESSION group_concat_max_len = 16777216")
