"""Uploads in an S3-compatible bucket (STORAGE_BACKEND=s3), against moto's local S3 server:
the same behaviour as the local folder, photos served by the app, scans kept private."""

from __future__ import annotations

import io
import logging

import pytest
import requests
from PIL import Image

from app.media import PUBLIC_FOLDERS
from app.s3_storage import S3Storage, public_read_policy
from app.storage import LocalStorage, StorageUnavailable, get_storage
from tests.app.factories import log_in
from tests.farms.factories import make_certification, make_farm
from tests.products.factories import make_product
from tests.support.redis_server import free_port
from tests.support.s3_server import s3_server

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture(scope="module")
def s3():
    with pytest.MonkeyPatch.context() as monkeypatch, s3_server(monkeypatch) as server:
        yield server


@pytest.fixture
def s3_app(app, s3):
    """The application with STORAGE_BACKEND=s3 pointing at the test bucket."""
    settings = {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": s3.bucket,
        "S3_ENDPOINT_URL": s3.endpoint_url,
        "S3_REGION": s3.region,
    }
    saved = {name: app.config.get(name) for name in settings}
    app.config.update(settings)
    app.extensions.pop("storage", None)
    yield app
    app.config.update(saved)
    app.extensions.pop("storage", None)


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _object(s3, key: str) -> bytes:
    return s3.client().get_object(Bucket=s3.bucket, Key=key)["Body"].read()


def test_the_configuration_selects_the_bucket(s3_app):
    storage = get_storage()
    assert isinstance(storage, S3Storage) and storage.bucket == "nongsan-media"


def test_save_open_delete_round_trip(s3_app, s3):
    storage = get_storage()

    storage.save("lab-reports/ab/report.pdf", PDF, "application/pdf")

    assert storage.exists("lab-reports/ab/report.pdf")
    assert storage.open("lab-reports/ab/report.pdf") == PDF
    head = s3.client().head_object(Bucket=s3.bucket, Key="lab-reports/ab/report.pdf")
    assert head["ContentType"] == "application/pdf"
    storage.delete("lab-reports/ab/report.pdf")
    assert not storage.exists("lab-reports/ab/report.pdf")


def test_a_missing_object_behaves_like_a_missing_file(s3_app, client):
    storage = get_storage()

    with pytest.raises(FileNotFoundError):
        storage.open("products/00/missing.webp")
    assert not storage.exists("products/00/missing.webp")
    storage.delete("products/00/missing.webp")  # deleting a missing key is not an error
    assert client.get("/media/products/00/missing.webp").status_code == 404


def test_keys_that_could_escape_are_refused_as_by_the_local_folder(s3_app):
    for key in ("products/../certificates/x.pdf", "/products/x.webp", "products//x.webp"):
        with pytest.raises(ValueError):
            get_storage().open(key)


def test_a_farmer_uploads_a_product_photo_into_the_bucket_and_the_app_serves_it(s3_app, s3):
    product = make_product()
    client = s3_app.test_client()
    log_in(client, product.farm.members[0].user.phone)

    response = client.post_form(
        f"/dashboard/products/{product.id}/photos",
        {"photo": (io.BytesIO(_jpeg()), "vai.jpg")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    photo = product.photos[0]
    stored = _object(s3, photo.thumb_key)
    assert stored.startswith(b"RIFF")  # WebP, in the bucket
    assert not LocalStorage.from_app(s3_app).exists(photo.thumb_key)  # and not on the disk
    served = client.get(f"/media/{photo.thumb_key}")
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert served.data == stored
    served.close()


@pytest.mark.parametrize("who", ["visitor", "another farmer"])
def test_a_certificate_scan_in_the_bucket_stays_private(s3_app, s3, who):
    farm = make_farm()
    certification = make_certification(farm, scan=PDF, scan_filename="vietgap.pdf")
    scan_url = f"/certifications/{certification.id}/scan"
    assert _object(s3, certification.scan_key) == PDF  # kept in the bucket

    owner = s3_app.test_client()
    log_in(owner, farm.members[0].user.phone)
    assert owner.get(scan_url).data == PDF
    stranger = s3_app.test_client()
    if who == "another farmer":
        log_in(stranger, make_farm().members[0].user.phone)
    refused = stranger.get(scan_url)
    assert refused.status_code in (302, 403) and PDF not in refused.data
    assert s3_app.test_client().get(f"/media/{certification.scan_key}").status_code == 404

    # The object itself grants nothing to the public: no ACL entry for everybody...
    acl = s3.client().get_object_acl(Bucket=s3.bucket, Key=certification.scan_key)
    assert ALL_USERS not in {grant["Grantee"].get("URI") for grant in acl["Grants"]}
    # ...and an anonymous request straight to the store is refused, where a signed one works.
    anonymous = requests.get(f"{s3.endpoint_url}/{s3.bucket}/{certification.scan_key}")
    assert anonymous.status_code == 403 and PDF not in anonymous.content
    signed = s3.client().generate_presigned_url(
        "get_object", Params={"Bucket": s3.bucket, "Key": certification.scan_key}
    )
    assert requests.get(signed).content == PDF


def test_an_unreachable_store_is_logged_and_answered_without_a_crash(s3_app, caplog):
    s3_app.config["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{free_port()}"  # nobody listens
    s3_app.extensions.pop("storage", None)

    with caplog.at_level(logging.ERROR, logger="app.s3_storage"):
        with pytest.raises(StorageUnavailable):
            get_storage().open("products/ab/photo.webp")
        response = s3_app.test_client().get("/media/products/ab/photo.webp")

    assert response.status_code == 503
    assert "could not open products/ab/photo.webp" in caplog.text


def test_with_a_public_url_photos_are_read_from_the_bucket_and_scans_still_are_not(s3_app, s3):
    # Given a bucket whose public folders anyone may read, and S3_PUBLIC_URL pointing there
    s3.client().put_bucket_policy(
        Bucket=s3.bucket, Policy=public_read_policy(s3.bucket, PUBLIC_FOLDERS)
    )
    s3_app.config["S3_PUBLIC_URL"] = f"{s3.endpoint_url}/{s3.bucket}/"
    try:
        product_key = "products/ab/photo.webp"
        get_storage().save(product_key, b"RIFF-photo", "image/webp")
        farm = make_farm()
        certification = make_certification(farm, scan=PDF, scan_filename="vietgap.pdf")

        # When a visitor asks the app for the photo, the app sends them to the bucket
        response = s3_app.test_client().get(f"/media/{product_key}")
        assert response.status_code == 302
        assert response.headers["Location"] == f"{s3.endpoint_url}/{s3.bucket}/{product_key}"
        assert requests.get(response.headers["Location"]).content == b"RIFF-photo"

        # But a scan is neither redirected nor readable from the bucket by anyone
        assert s3_app.test_client().get(f"/media/{certification.scan_key}").status_code == 404
        direct = requests.get(f"{s3.endpoint_url}/{s3.bucket}/{certification.scan_key}")
        assert direct.status_code == 403
        assert s3_app.test_client().get("/media/products/../certificates/x.webp").status_code == 404
    finally:
        s3.client().delete_bucket_policy(Bucket=s3.bucket)
        s3_app.config["S3_PUBLIC_URL"] = ""


def test_a_scan_the_store_cannot_give_is_a_page_not_a_crash(s3_app, caplog):
    # Given a certificate scan kept in the bucket, and then the store out of reach
    farm = make_farm()
    certification = make_certification(farm, scan=PDF, scan_filename="vietgap.pdf")
    owner = s3_app.test_client()
    log_in(owner, farm.members[0].user.phone)
    s3_app.config["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{free_port()}"  # nobody listens
    s3_app.extensions.pop("storage", None)

    # When the farm opens it, then it is told to try again later (503), and the log says why
    with caplog.at_level(logging.ERROR, logger="app.s3_storage"):
        response = owner.get(f"/certifications/{certification.id}/scan")
    assert response.status_code == 503
    assert "thử lại" in response.get_data(as_text=True)
