"""Where uploaded files live: a four-method interface, and a folder on the local disk.

Code that stores files calls `get_storage()` and speaks in keys (`products/ab/abcd….webp`),
never in paths, so the files can move elsewhere without touching the callers.

Two backends: `local` (the default, a folder) and `s3` (any S3-compatible bucket, see
app/s3_storage.py), chosen by the config key STORAGE_BACKEND. Either way a missing key is
FileNotFoundError, and a store that cannot be reached is StorageUnavailable (an OSError, as a
full disk is), so callers handle both backends alike.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app


class Storage(Protocol):
    """A flat store of immutable files named by relative keys."""

    def save(self, key: str, data: bytes, content_type: str) -> None: ...

    def open(self, key: str) -> bytes:
        """The file's bytes; FileNotFoundError when there is no such key."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Removes the file; deleting a missing key is not an error."""
        ...


class StorageUnavailable(OSError):
    """The store could not be reached or refused the request (already logged)."""


def check_key(key: str) -> list[str]:
    """The key's folders and name; refuses keys that could reach outside the store."""
    parts = key.split("/")
    if (
        ".." in key
        or "\\" in key
        or "\0" in key
        or key.startswith("/")
        or any(part in ("", ".") for part in parts)
    ):
        raise ValueError(f"not a storage key: {key!r}")
    return parts


class LocalStorage:
    """Files under one folder (config MEDIA_ROOT, by default `<instance>/media`)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @classmethod
    def from_app(cls, app: Flask) -> LocalStorage:
        return cls(app.config.get("MEDIA_ROOT") or os.path.join(app.instance_path, "media"))

    def path(self, key: str) -> Path:
        """The file for a key; refuses keys that could reach outside the root."""
        return self.root.joinpath(*check_key(key))

    def save(self, key: str, data: bytes, content_type: str) -> None:
        # Several workers may write the same key at once: each writes a temporary file beside
        # the target and renames it into place, so nobody ever reads a half-written file.
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(temporary, 0o644)  # readable by a web server that serves the folder
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise

    def open(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except (IsADirectoryError, NotADirectoryError) as exc:
            raise FileNotFoundError(key) from exc

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


def _s3_from_app(app: Flask) -> Storage:
    # Imported here so that boto3 is loaded only by applications that use a bucket.
    from app.s3_storage import S3Storage

    return S3Storage.from_app(app)


#: Storage implementations by the name that config STORAGE_BACKEND selects.
BACKENDS: dict[str, Callable[[Flask], Storage]] = {
    "local": LocalStorage.from_app,
    "s3": _s3_from_app,
}


def get_storage() -> Storage:
    """The application's storage, built once per application."""
    storage = current_app.extensions.get("storage")
    if storage is None:
        backend = current_app.config.get("STORAGE_BACKEND") or "local"
        if backend not in BACKENDS:
            raise RuntimeError(f"unknown STORAGE_BACKEND {backend!r}; known: {sorted(BACKENDS)}")
        storage = current_app.extensions["storage"] = BACKENDS[backend](current_app)
    return storage
