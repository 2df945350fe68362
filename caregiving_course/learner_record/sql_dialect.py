"""The few SQL spellings that differ between SQLite, PostgreSQL and MariaDB/MySQL.

The set-based award writer needs them: a random UUID made by the database, JSON objects and
arrays built by the database, an insert that skips rows a unique constraint refuses, string concatenation
and a UUID as text with dashes. Only identifiers, numbers and fixed SQL are formatted into these
fragments; values travel as query parameters.
"""
from __future__ import annotations

from django.db import connection


def _vendor() -> str:
    return connection.vendor


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def concat(*parts: str) -> str:
    if _vendor() == "mysql":
        return f"CONCAT({', '.join(parts)})"
    return "(" + " || ".join(parts) + ")"


def random_uuid() -> str:
    """A version 4 UUID as the UUID column stores it (32 hex digits on SQLite)."""
    if _vendor() == "postgresql":
        return "gen_random_uuid()"
    if _vendor() == "mysql":  # RANDOM_BYTES: MariaDB 10.10+ and MySQL 5.6+
        hexes = "LOWER(HEX(RANDOM_BYTES({})))"
        variant = "SUBSTRING('89ab', 1 + FLOOR(RAND() * 4), 1)"
    else:
        hexes = "lower(hex(randomblob({})))"
        variant = "substr('89ab', 1 + (random() & 3), 1)"
    # 12 + '4' + 3 + variant + 3 + 12 hex digits: the version and variant bits of a random UUID
    return concat(hexes.format(6), "'4'", f"substr({hexes.format(2)}, 2)", variant,
                  f"substr({hexes.format(2)}, 2)", hexes.format(6))


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


def json_array_agg(expr: str) -> str:
    """The aggregate collecting ``expr`` of a group's rows into a JSON array."""
    fn = {"postgresql": "jsonb_agg", "mysql": "JSON_ARRAYAGG"}.get(_vendor(), "json_group_array")
    return f"{fn}({expr})"


def insert_ignoring_conflicts(table: str, columns: list[str], select: str, returning: str = "") -> str:
    """``INSERT INTO table (columns) select`` that skips rows a unique constraint refuses.

    ``select`` must have a WHERE clause (SQLite cannot otherwise parse the ``ON CONFLICT`` after it).
    """
    cols = ", ".join(quote(c) for c in columns)
    tail = f" RETURNING {returning}" if returning else ""
    if _vendor() == "mysql":
        return f"INSERT IGNORE INTO {quote(table)} ({cols}) {select}{tail}"
    return f"INSERT INTO {quote(table)} ({cols}) {select} ON CONFLICT DO NOTHING{tail}"
