"""Where uploaded files live: a four-method interface, and a folder on the local disk.

Code that stores files calls `get_storage()` and speaks in keys (`products/ab/abcd….webp`),
never in paths, so the files can move elsewhere without touching the callers.

To keep them in an S3-compatible bucket instead, write a class with the four methods of
`Storage` (e.g. `S3Storage`, wrapping boto3's `put_object`, `get_object`, `head_object` and
`delete_object`; `open()` raises FileNotFoundError for a missing key), give it a
`from_app(app)` constructor that reads its settings from the config, add it to `BACKENDS`
under a name, and set the config key `STORAGE_BACKEND` to that name. The default is `local`.
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


class LocalStorage:
    """Files under one folder (config MEDIA_ROOT, by default `<instance>/media`)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @classmethod
    def from_app(cls, app: Flask) -> LocalStorage:
        return cls(app.config.get("MEDIA_ROOT") or os.path.join(app.instance_path, "media"))

    def path(self, key: str) -> Path:
        """The file for a key; refuses keys that could reach outside the root."""
        parts = key.split("/")
        if (
            ".." in key
            or "\\" in key
            or "\0" in key
            or key.startswith("/")
            or any(part in ("", ".") for part in parts)
        ):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root.joinpath(*parts)

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


#: Storage implementations by the name that config STORAGE_BACKEND selects.
BACKENDS: dict[str, Callable[[Flask], Storage]] = {"local": LocalStorage.from_app}


def get_storage() -> Storage:
    """The application's storage, built once per application."""
    storage = current_app.extensions.get("storage")
    if storage is None:
        backend = current_app.config.get("STORAGE_BACKEND") or "local"
        if backend not in BACKENDS:
            raise RuntimeError(f"unknown STORAGE_BACKEND {backend!r}; known: {sorted(BACKENDS)}")
        storage = current_app.extensions["storage"] = BACKENDS[backend](current_app)
    return storage
