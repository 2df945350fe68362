"""Field data for blocks in our runtime: authored fields from the page, learner state from the database.

Authored fields (scopes ``content`` and ``settings``) are the values the server placed the block
with; changes to them live only as long as the request (in our server, authors edit the course
content files; in Open edX, Studio stores them). Every user-scoped field is read lazily from
:class:`xblocks.models.BlockState`, one row per (scope, scope id, user), and written back in one
statement per row when the block saves.
"""
from __future__ import annotations

from django.db import transaction
from xblock.field_data import FieldData
from xblock.fields import BlockScope, Scope, UserScope

from xblocks.models import BlockState

Bucket = tuple[str, str, str]  # (scope name, scope id, user id)


class StateStore:
    """Rows of :class:`BlockState` for one request, loaded on first use and written on save."""

    def __init__(self, user_id: str | None) -> None:
        self.user_id = user_id  # None: an anonymous visitor, whose state is never stored
        self._rows: dict[Bucket, dict] = {}

    def bucket(self, block, scope: Scope) -> Bucket | None:
        ids = block.scope_ids
        scope_id = {BlockScope.USAGE: ids.usage_id, BlockScope.DEFINITION: ids.def_id,
                    BlockScope.TYPE: ids.block_type, BlockScope.ALL: "all"}[scope.block]
        if scope.user == UserScope.ALL:
            return (scope.name, scope_id, "")
        if self.user_id is None:
            return None
        return (scope.name, scope_id, self.user_id)

    def row(self, bucket: Bucket | None) -> dict:
        if bucket is None:
            return self._rows.setdefault(("anonymous", "", ""), {})
        if bucket not in self._rows:
            found = BlockState.objects.filter(scope=bucket[0], scope_id=bucket[1], user_id=bucket[2]).first()
            self._rows[bucket] = dict(found.state) if found else {}
        return self._rows[bucket]

    def write(self, buckets: set[Bucket | None]) -> None:
        with transaction.atomic():
            for bucket in buckets:
                if bucket is None:
                    continue
                BlockState.objects.update_or_create(
                    scope=bucket[0], scope_id=bucket[1], user_id=bucket[2], defaults={"state": self._rows[bucket]})


class PlacedFieldData(FieldData):
    """The runtime's ``field-data`` service: each placed block's authored values (by usage id) in memory,
    user-scoped values in a :class:`StateStore`."""

    def __init__(self, store: StateStore) -> None:
        super().__init__()
        self.placed: dict[str, dict] = {}
        self.store = store

    def place(self, usage_id: str, authored: dict) -> None:
        self.placed[usage_id] = dict(authored)

    def _values(self, block) -> dict:
        return self.placed[block.scope_ids.usage_id]

    @staticmethod
    def _authored(block, name: str) -> bool:
        return block.fields[name].scope.user == UserScope.NONE

    def _row(self, block, name: str) -> tuple[dict, Bucket | None]:
        bucket = self.store.bucket(block, block.fields[name].scope)
        return self.store.row(bucket), bucket

    def get(self, block, name):
        if self._authored(block, name):
            return self._values(block)[name]
        return self._row(block, name)[0][name]

    def set(self, block, name, value):
        self.set_many(block, {name: value})

    def set_many(self, block, update_dict):
        dirty: set[Bucket | None] = set()
        for name, value in update_dict.items():
            if self._authored(block, name):
                self._values(block)[name] = value
                continue
            row, bucket = self._row(block, name)
            row[name] = value
            dirty.add(bucket)
        if dirty:
            self.store.write(dirty)

    def delete(self, block, name):
        if self._authored(block, name):
            self._values(block).pop(name, None)
            return
        row, bucket = self._row(block, name)
        if name in row:
            del row[name]
            self.store.write({bucket})

    def has(self, block, name):
        if self._authored(block, name):
            return name in self._values(block)
        return name in self._row(block, name)[0]
