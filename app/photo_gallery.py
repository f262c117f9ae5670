"""An ordered gallery of photos (a farm's, a product's): the one way photos join and leave it.

A gallery is a list relationship ordered by `position` whose rows have `display_key`,
`thumb_key` and `position`, with a delete-orphan cascade. Positions stay 0, 1, 2 … without
gaps, so the first photo is the cover and the next one added goes last.
"""

from __future__ import annotations

from collections.abc import Callable, MutableSequence
from typing import Protocol, TypeVar

from app.errors import DomainError
from app.extensions import db
from app.images import process_image_upload


class GalleryPhoto(Protocol):
    display_key: str
    thumb_key: str
    position: int


P = TypeVar("P", bound=GalleryPhoto)


def add_photo(
    photos: MutableSequence[P],
    make: Callable[..., P],
    data: bytes,
    *,
    kind: str,
    limit: int,
    too_many: str,
) -> P:
    """Store the upload (checked and cleaned by app.images) as the gallery's last photo.

    `make` builds the row (FarmPhoto, ProductPhoto); `too_many` is the refusal at `limit`.
    """
    if len(photos) >= limit:
        raise DomainError(too_many, field="photo")
    stored = process_image_upload(data, kind=kind)
    photo = make(
        display_key=stored.display_key,
        thumb_key=stored.thumb_key,
        position=photos[-1].position + 1 if photos else 0,
    )
    photos.append(photo)
    db.session.flush()
    return photo


def remove_photo(photos: MutableSequence[P], photo: P) -> None:
    """Take the photo out (the cascade deletes its row) and close the gap it leaves."""
    photos.remove(photo)
    for position, remaining in enumerate(photos):
        remaining.position = position
    db.session.flush()
