"""The one way uploaded photos and certificate scans enter the site.

An upload is untrusted: it is size-checked, decoded by Pillow with a pixel limit (so a small
file cannot expand into gigabytes), turned upright, converted to sRGB and re-encoded to WebP
with no metadata at all (phone photos carry the farm's GPS position). Stored files are named
by the SHA-256 of their content, so they never change and the same upload is kept once.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps

from app.errors import DomainError
from app.storage import get_storage

MIB = 1024 * 1024
DEFAULT_MAX_IMAGE_BYTES = 8 * MIB
DEFAULT_MAX_DOCUMENT_BYTES = 10 * MIB
#: Far above any phone camera (50 MP would be 8160×6120), far below what exhausts a worker.
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
#: Pillow format names we accept; GIFs and animated WebPs keep only their first frame.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
DISPLAY_SIZE = 1280
THUMB_SIZE = 400
WEBP_QUALITY = 80

NOT_A_PHOTO = _l("This file is not a photo. Please choose a JPEG, PNG or WebP image.")
NOT_A_DOCUMENT = _l("Please upload a photo (JPEG, PNG, WebP) or a PDF of the certificate.")
TOO_MANY_PIXELS = _l("This image is too large to process.")

_KIND = re.compile(r"[a-z0-9_-]+")
_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class StoredImage:
    display_key: str
    thumb_key: str
    #: Size of the display image, for the <img> width and height attributes.
    width: int
    height: int


@dataclass(frozen=True)
class StoredDocument:
    key: str
    content_type: str


def process_image_upload(data: bytes, *, kind: str) -> StoredImage:
    """Checks, cleans and stores a photo as a display image and a thumbnail."""
    _check_kind(kind)
    image = _decode_image(data, field="photo", unreadable=NOT_A_PHOTO)
    display = _webp(image, DISPLAY_SIZE)
    thumb = _webp(image, THUMB_SIZE)
    sha = hashlib.sha256(display.data).hexdigest()
    stored = StoredImage(
        display_key=f"{kind}/{sha[:2]}/{sha}-display.webp",
        thumb_key=f"{kind}/{sha[:2]}/{sha}-thumb.webp",
        width=display.width,
        height=display.height,
    )
    _store(stored.display_key, display.data, "image/webp")
    _store(stored.thumb_key, thumb.data, "image/webp")
    return stored


def process_document_upload(data: bytes, *, kind: str, filename: str) -> StoredDocument:
    """Stores a certificate scan: a PDF as it is, a photo cleaned like any other photo.

    The content decides what the file is; a name ending in .pdf only makes a file that is not
    a PDF fail without trying to read it as a photo.
    """
    _check_kind(kind)
    limit = current_app.config.get("MAX_DOCUMENT_BYTES", DEFAULT_MAX_DOCUMENT_BYTES)
    if len(data) > limit:
        raise DomainError(
            _l("The file is too large: at most %(mb)d MB.", mb=limit // MIB), field="scan"
        )
    if data.startswith(b"%PDF-"):
        sha = hashlib.sha256(data).hexdigest()
        document = StoredDocument(f"{kind}/{sha[:2]}/{sha}.pdf", "application/pdf")
        _store(document.key, data, document.content_type)
        return document
    if filename.lower().endswith(".pdf"):
        raise DomainError(NOT_A_DOCUMENT, field="scan")
    image = _decode_image(data, field="scan", unreadable=NOT_A_DOCUMENT)
    display = _webp(image, DISPLAY_SIZE)
    sha = hashlib.sha256(display.data).hexdigest()
    document = StoredDocument(f"{kind}/{sha[:2]}/{sha}.webp", "image/webp")
    _store(document.key, display.data, document.content_type)
    return document


def _check_kind(kind: str) -> None:
    # kind comes from our code, not from the user; it becomes the first folder of the key.
    if not _KIND.fullmatch(kind):
        raise ValueError(f"not a storage folder: {kind!r}")


def _decode_image(data: bytes, *, field: str, unreadable: str) -> Image.Image:
    """The first frame of an accepted image, upright and in RGB or RGBA, or a DomainError
    (with the message `unreadable` when the file is not an image we accept)."""
    limit = current_app.config.get("MAX_IMAGE_BYTES", DEFAULT_MAX_IMAGE_BYTES)
    if len(data) > limit:
        raise DomainError(
            _l("The photo is too large: at most %(mb)d MB.", mb=limit // MIB), field=field
        )
    max_pixels = current_app.config.get("MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)
    # Pillow only warns between its two bomb limits; a warning must refuse the file too,
    # in production as in the tests (which turn every warning into an error anyway).
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # Image.open reads only the header, so the pixel count is known before decoding.
            with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
                if probe.width * probe.height > max_pixels:
                    raise Image.DecompressionBombError("over MAX_IMAGE_PIXELS")
                probe.verify()
            # verify() leaves the image unusable: decode from a fresh start.
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                image.load()
                return _to_srgb(ImageOps.exif_transpose(image))
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise DomainError(TOO_MANY_PIXELS, field=field) from exc
        except Exception as exc:  # a malformed file can make a decoder raise nearly anything
            raise DomainError(unreadable, field=field) from exc


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image has transparency, with colours converted to sRGB.

    The colour profile is about to be dropped with the other metadata; converting first keeps
    photos from wide-gamut phones and CMYK print files looking as they did.
    """
    mode = "RGBA" if image.has_transparency_data else "RGB"
    if image.mode.startswith("I"):  # 16-bit grey, as scanners save: a plain convert clips it
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode not in (mode, "CMYK"):  # a CMYK profile applies to the CMYK pixels
        image = image.convert(mode)
    profile = image.info.get("icc_profile")
    if profile:
        try:
            return ImageCms.profileToProfile(image, io.BytesIO(profile), _SRGB, outputMode=mode)
        except ImageCms.PyCMSError:
            pass  # a broken or unusual profile (a grey one, say): plain conversion will do
    return image.convert(mode)


@dataclass(frozen=True)
class _Encoded:
    data: bytes
    width: int
    height: int


def _webp(image: Image.Image, longest_side: int) -> _Encoded:
    """Scaled down to fit a square of longest_side (never up), as WebP without metadata."""
    resized = image.copy()
    resized.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    # Pillow's WebP encoder writes EXIF, XMP or ICC data only when asked to; we never ask.
    resized.save(buffer, "WEBP", quality=WEBP_QUALITY)
    return _Encoded(buffer.getvalue(), resized.width, resized.height)


def _store(key: str, data: bytes, content_type: str) -> None:
    storage = get_storage()
    if not storage.exists(key):  # the same content is already there under the same name
        storage.save(key, data, content_type)
