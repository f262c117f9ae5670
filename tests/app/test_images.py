"""Uploaded photos and scans: cleaned, stored once, served with long caching; bad files refused."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import warnings
import zlib

import pytest
from flask_babel import force_locale
from PIL import ExifTags, Image, ImageCms

from app.errors import DomainError
from app.extensions import db
from app.images import process_document_upload, process_image_upload
from app.storage import LocalStorage, get_storage
from tests.conftest import make_test_app

NOT_A_PHOTO = "This file is not a photo. Please choose a JPEG, PNG or WebP image."
TOO_MANY_PIXELS = "This image is too large to process."
NOT_A_DOCUMENT = "Please upload a photo (JPEG, PNG, WebP) or a PDF of the certificate."
A_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def media_app(tmp_path, monkeypatch):
    """An application of its own (no database needed) with its media under tmp_path."""
    monkeypatch.setenv("NONGSAN_INSTANCE_PATH", str(tmp_path))
    app = make_test_app(
        "sqlite:///" + str(tmp_path / "x.sqlite3"),
        str(tmp_path),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    with app.app_context():
        yield app
        db.engine.dispose()


def encode(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()


def noise(size: tuple[int, int]) -> Image.Image:
    """Random pixels, so that JPEG cannot squeeze the file to almost nothing."""
    return Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))


def png_claiming(width: int, height: int) -> bytes:
    """A valid PNG header announcing a huge image, with no real pixels behind it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def stored(key: str) -> Image.Image:
    """A stored file, decoded; the caller closes it."""
    return Image.open(io.BytesIO(get_storage().open(key)))


def english(message) -> str:
    with force_locale("en"):
        return str(message)


def refusal(data: bytes, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as refused:
        process_image_upload(data, kind="products", **kwargs)
    return refused.value


# Photos


def test_a_phone_photo_is_turned_upright_and_loses_its_gps_position(media_app):
    # Given a photo stored sideways (red left, blue right) with "rotate 90°" in its EXIF,
    # the phone's GPS position and a colour profile
    photo = Image.new("RGB", (300, 200), "blue")
    photo.paste("red", (0, 0, 150, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (20.0, 56.0, 12.0)}
    )
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(photo, "JPEG", exif=exif, icc_profile=srgb)

    result = process_image_upload(data, kind="products")

    # Then it is stored upright (red on top), with no metadata of any kind
    assert (result.width, result.height) == (200, 300)
    for key in (result.display_key, result.thumb_key):
        raw = get_storage().open(key)
        assert not any(marker in raw for marker in (b"EXIF", b"XMP ", b"ICCP", b"PhoneCo"))
        with stored(key) as image:
            assert image.format == "WEBP" and image.size == (200, 300)
            assert not image.getexif() and not set(image.info) & {"exif", "icc_profile", "xmp"}
            red, green, blue = image.convert("RGB").getpixel((100, 40))
            assert red > 200 and blue < 60
            red, green, blue = image.convert("RGB").getpixel((100, 260))
            assert blue > 200 and red < 60


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(Image.new("P", (40, 40), 1), id="palette"),
        pytest.param(Image.new("LA", (40, 40), (120, 255)), id="grey-with-alpha"),
        pytest.param(Image.new("RGBA", (40, 40), (0, 128, 0, 255)), id="rgba"),
    ],
)
def test_a_transparent_png_keeps_its_transparency(media_app, image):
    options = {}
    if image.mode == "P":
        image.putpalette([0, 0, 0, 0, 128, 0])
        options["transparency"] = 0
    image.putpixel((0, 0), 0 if image.mode == "P" else (0,) * len(image.mode))

    result = process_image_upload(encode(image, "PNG", **options), kind="products")

    with stored(result.display_key) as display:
        assert display.mode == "RGBA"
        assert display.getpixel((0, 0))[3] == 0 and display.getpixel((20, 20))[3] == 255


def test_a_cmyk_jpeg_becomes_an_rgb_photo_of_the_same_colour(media_app):
    cyan = Image.new("CMYK", (40, 40), (255, 0, 0, 0))

    result = process_image_upload(encode(cyan, "JPEG"), kind="products")

    with stored(result.display_key) as display:
        assert display.mode == "RGB"
        red, green, blue = display.getpixel((20, 20))
        assert red < 60 and green > 190 and blue > 190


def test_a_16_bit_grey_scan_keeps_its_shade_of_grey(media_app):
    grey = Image.new("I;16", (40, 40), 30000)

    result = process_image_upload(encode(grey, "PNG"), kind="products")

    with stored(result.display_key) as display:
        red, green, blue = display.getpixel((20, 20))
        assert 100 < red < 135 and abs(red - green) < 5 and abs(red - blue) < 5


def test_only_the_first_frame_of_an_animated_gif_is_kept(media_app):
    frames = [Image.new("RGB", (40, 40), colour) for colour in ("red", "blue")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)

    result = process_image_upload(data, kind="farms")

    with stored(result.display_key) as display:
        assert getattr(display, "n_frames", 1) == 1
        red, green, blue = display.convert("RGB").getpixel((20, 20))
        assert red > 200 and blue < 60


def test_a_large_photo_gets_a_display_size_and_a_thumbnail(media_app):
    result = process_image_upload(
        encode(Image.new("RGB", (4000, 3000), "green"), "JPEG"), kind="farms"
    )

    assert (result.width, result.height) == (1280, 960)
    with stored(result.display_key) as display, stored(result.thumb_key) as thumb:
        assert display.size == (1280, 960) and thumb.size == (400, 300)


def test_a_small_photo_is_not_enlarged(media_app):
    result = process_image_upload(encode(noise((300, 200)), "PNG"), kind="products")

    assert (result.width, result.height) == (300, 200)
    with stored(result.display_key) as display, stored(result.thumb_key) as thumb:
        assert display.size == thumb.size == (300, 200)


def test_the_same_photo_uploaded_twice_is_stored_once_under_its_content_hash(media_app):
    data = encode(noise((64, 48)), "PNG")

    first = process_image_upload(data, kind="products")
    second = process_image_upload(data, kind="products")

    assert first == second
    sha = hashlib.sha256(get_storage().open(first.display_key)).hexdigest()
    assert first.display_key == f"products/{sha[:2]}/{sha}-display.webp"
    assert first.thumb_key == f"products/{sha[:2]}/{sha}-thumb.webp"
    folder = os.path.join(media_app.config["MEDIA_ROOT"], "products", sha[:2])
    assert sorted(os.listdir(folder)) == [f"{sha}-display.webp", f"{sha}-thumb.webp"]


# Refusals


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("Giấy chứng nhận VietGAP".encode(), id="text"),
        pytest.param(encode(noise((200, 200)), "JPEG")[:3000], id="truncated-jpeg"),
        pytest.param(encode(noise((20, 20)), "BMP"), id="bmp"),
        pytest.param(encode(noise((20, 20)), "TIFF"), id="tiff"),
        pytest.param(b"", id="empty"),
    ],
)
def test_a_file_that_is_not_an_accepted_photo_is_refused(media_app, data):
    error = refusal(data)

    assert english(error.message) == NOT_A_PHOTO and error.field == "photo"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(media_app):
    error = refusal(b"\xff\xd8" + bytes(8 * 1024 * 1024))

    assert english(error.message) == "The photo is too large: at most 8 MB."
    assert error.field == "photo"


def test_an_image_over_the_pixel_limit_is_refused(media_app):
    media_app.config["MAX_IMAGE_PIXELS"] = 100 * 100

    error = refusal(encode(Image.new("RGB", (101, 100)), "PNG"))

    assert english(error.message) == TOO_MANY_PIXELS and error.field == "photo"


@pytest.mark.parametrize(
    "size",
    [
        pytest.param((10_000, 10_000), id="pillow-warns"),
        pytest.param((30_000, 30_000), id="pillow-raises"),
    ],
)
def test_a_decompression_bomb_is_refused_by_pillows_own_guard(media_app, size):
    # Given our own limit out of the way, and warnings merely shown, as in production
    media_app.config["MAX_IMAGE_PIXELS"] = 10**12
    with warnings.catch_warnings():
        warnings.simplefilter("default")

        error = refusal(png_claiming(*size))

    assert english(error.message) == TOO_MANY_PIXELS


def test_a_tiny_file_claiming_a_huge_image_is_refused_by_the_default_limit(media_app):
    error = refusal(png_claiming(8_000, 6_000))

    assert english(error.message) == TOO_MANY_PIXELS


# Certificate scans


def test_a_pdf_scan_is_stored_as_it_is(media_app):
    document = process_document_upload(A_PDF, kind="certificates", filename="vietgap.pdf")

    sha = hashlib.sha256(A_PDF).hexdigest()
    assert document.key == f"certificates/{sha[:2]}/{sha}.pdf"
    assert document.content_type == "application/pdf"
    assert get_storage().open(document.key) == A_PDF


def test_a_photographed_certificate_is_cleaned_like_a_photo(media_app):
    data = encode(Image.new("RGB", (3000, 2000), "white"), "JPEG")

    document = process_document_upload(data, kind="certificates", filename="IMG_0042.JPG")

    assert document.content_type == "image/webp" and document.key.endswith(".webp")
    with stored(document.key) as scan:
        assert scan.size == (1280, 853)


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        pytest.param(b"<html>not a pdf</html>", "chung-nhan.pdf", id="fake-pdf"),
        pytest.param(b"PK\x03\x04 a word document", "chung-nhan.docx", id="docx"),
    ],
)
def test_a_scan_that_is_neither_photo_nor_pdf_is_refused(media_app, data, filename):
    with pytest.raises(DomainError) as refused:
        process_document_upload(data, kind="certificates", filename=filename)

    assert english(refused.value.message) == NOT_A_DOCUMENT and refused.value.field == "scan"


def test_a_scan_over_the_document_limit_is_refused(media_app):
    with pytest.raises(DomainError) as refused:
        process_document_upload(
            b"%PDF-1.4\n" + bytes(10 * 1024 * 1024), kind="certificates", filename="big.pdf"
        )

    assert english(refused.value.message) == "The file is too large: at most 10 MB."
    assert refused.value.field == "scan"


# Storage


@pytest.mark.parametrize(
    "key",
    ["../secret_key", "products/../../x.webp", "/etc/passwd", "products\\x.webp", "", "a//b"],
)
def test_local_storage_refuses_keys_that_could_leave_its_folder(tmp_path, key):
    storage = LocalStorage(tmp_path)

    with pytest.raises(ValueError):
        storage.save(key, b"x", "text/plain")


def test_local_storage_saves_reads_and_deletes_leaving_no_temporary_files(tmp_path):
    storage = LocalStorage(tmp_path)

    storage.save("farms/ab/abc.webp", b"first", "image/webp")
    storage.save("farms/ab/abc.webp", b"second", "image/webp")

    assert storage.exists("farms/ab/abc.webp") and storage.open("farms/ab/abc.webp") == b"second"
    assert os.listdir(tmp_path / "farms" / "ab") == ["abc.webp"]
    storage.delete("farms/ab/abc.webp")
    storage.delete("farms/ab/abc.webp")
    assert not storage.exists("farms/ab/abc.webp")
    with pytest.raises(FileNotFoundError):
        storage.open("farms/ab/abc.webp")


# The /media route


def test_a_public_photo_is_served_with_a_long_cache(media_app):
    result = process_image_upload(encode(noise((64, 48)), "PNG"), kind="products")

    with media_app.test_client().get(f"/media/{result.thumb_key}") as response:
        body = response.data

    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert body == get_storage().open(result.thumb_key) and response.headers["ETag"]


def test_a_photo_the_browser_already_has_is_answered_304(media_app):
    result = process_image_upload(encode(noise((64, 48)), "PNG"), kind="farms")
    client = media_app.test_client()
    first = client.get(f"/media/{result.display_key}")
    first.close()

    with client.get(
        f"/media/{result.display_key}", headers={"If-None-Match": first.headers["ETag"]}
    ) as again:
        body = again.data

    assert again.status_code == 304 and body == b""


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("certificates/ab/scan.webp", id="private-folder"),
        pytest.param("products/ab/missing-display.webp", id="unknown"),
        pytest.param("products/ab/notes.pdf", id="not-an-image"),
        pytest.param("products/../certificates/ab/scan.webp", id="climbing-out"),
        pytest.param("products/ab", id="a-folder"),
    ],
)
def test_anything_but_a_stored_public_image_is_not_found(media_app, key):
    get_storage().save("certificates/ab/scan.webp", b"private", "image/webp")
    get_storage().save("products/ab/notes.pdf", b"%PDF-1.4", "application/pdf")

    response = media_app.test_client().get(f"/media/{key}")
    response.close()

    assert response.status_code == 404
