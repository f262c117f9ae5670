"""Public photos (farms, products) served from storage.

Keys are content-addressed, so a URL always means the same bytes: browsers and proxies may
keep them for a year. Anything outside the public folders, such as certificate scans, is
answered 404 here and must be served by a view that checks who is asking.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import PurePosixPath

from flask import Blueprint, abort, current_app, redirect, send_file

from app.storage import StorageUnavailable, check_key, get_storage

bp = Blueprint("media", __name__)

MIMETYPES = {".webp": "image/webp", ".pdf": "application/pdf"}
#: Public folders and what they may hold: the pipeline in app/images.py stores every public
#: image as WebP; batch diary photos and lab reports are what the trace page proves, and a
#: lab report may be a PDF.
PUBLIC_FOLDERS = {
    "products": {".webp"},
    "farms": {".webp"},
    "batches": {".webp"},
    "lab-reports": {".webp", ".pdf"},
    # Buyers' review photos (orders/reviews/), shown on product pages.
    "reviews": {".webp"},
}
ONE_YEAR = 365 * 24 * 60 * 60


@bp.get("/media/<path:key>")
def serve(key: str):
    folder = key.split("/", 1)[0]
    suffix = PurePosixPath(key).suffix
    if suffix not in PUBLIC_FOLDERS.get(folder, ()):
        abort(404)
    public_url = current_app.config.get("S3_PUBLIC_URL")
    if public_url and current_app.config.get("STORAGE_BACKEND") == "s3":
        try:
            check_key(key)
        except ValueError:
            abort(404)
        # The bucket serves the public folders itself (see public_read_policy): no app time.
        return redirect(f"{public_url.rstrip('/')}/{key}", code=302)
    mimetype = MIMETYPES[suffix]
    try:
        data = get_storage().open(key)
    except (FileNotFoundError, ValueError):  # no such file, or a key like products/../x
        abort(404)
    except StorageUnavailable:  # logged by the store: the visitor gets a page, not a crash
        abort(503)
    response = send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        etag=hashlib.sha256(data).hexdigest(),
        conditional=True,
        max_age=ONE_YEAR,
    )
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response
