"""Key files of the sync package under ``settings.KEYS_DIR``: readable by the service only, never in the database."""
from __future__ import annotations

import os
from pathlib import Path


def create_once(path: Path, data: bytes) -> None:
    """Write a new key file (0600, in a 0700 folder) atomically; if another process won the race, keep its key."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # fails if the key appeared meanwhile: first writer wins
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
