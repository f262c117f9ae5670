"""Uploads kept in an S3-compatible bucket (AWS S3, MinIO, Ceph, …) through boto3.

Selected by STORAGE_BACKEND=s3 with S3_BUCKET, and S3_ENDPOINT_URL / S3_REGION for stores
other than AWS. Credentials come from boto3's usual sources (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY in the environment, or an instance role). Objects are written without
any ACL, so the bucket's default (private) applies: certificate scans and label PDFs are
only ever read by the application, after its permission check.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask

from app.storage import StorageUnavailable, check_key

log = logging.getLogger(__name__)

#: Error codes S3 answers for a key that is not there (HEAD answers a bare 404).
MISSING = {"NoSuchKey", "404", "NotFound"}
#: A request to the store gives up after this long, so a page never hangs on it.
TIMEOUT_SECONDS = 10


def public_read_policy(bucket: str, folders) -> str:
    """A bucket policy (JSON) letting anyone read the public folders and nothing else, for
    S3_PUBLIC_URL: apply it with `aws s3api put-bucket-policy` (or `mc anonymous set-json`)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicPhotos",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": [f"arn:aws:s3:::{bucket}/{folder}/*" for folder in sorted(folders)],
                }
            ],
        },
        indent=2,
    )


class S3Storage:
    """Files as objects of one bucket, named by their storage keys."""

    def __init__(self, bucket: str, client) -> None:
        self.bucket = bucket
        self.client = client

    @classmethod
    def from_app(cls, app: Flask) -> S3Storage:
        bucket = app.config.get("S3_BUCKET")
        if not bucket:
            raise RuntimeError("STORAGE_BACKEND=s3 needs S3_BUCKET")
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=app.config.get("S3_ENDPOINT_URL") or None,
            region_name=app.config.get("S3_REGION") or None,
            config=Config(
                connect_timeout=TIMEOUT_SECONDS,
                read_timeout=TIMEOUT_SECONDS,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )
        return cls(bucket, client)

    def save(self, key: str, data: bytes, content_type: str) -> None:
        check_key(key)
        with self._failures("save", key):
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def open(self, key: str) -> bytes:
        check_key(key)
        with self._failures("open", key):
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def exists(self, key: str) -> bool:
        check_key(key)
        try:
            with self._failures("look up", key):
                self.client.head_object(Bucket=self.bucket, Key=key)
        except FileNotFoundError:
            return False
        return True

    def delete(self, key: str) -> None:
        check_key(key)
        with self._failures("delete", key):  # S3 answers a missing key with success
            self.client.delete_object(Bucket=self.bucket, Key=key)

    @contextmanager
    def _failures(self, action: str, key: str) -> Iterator[None]:
        """Boto3's errors as the local backend's: FileNotFoundError for a missing key,
        StorageUnavailable (logged) for anything else."""
        try:
            yield
        except ClientError as error:
            if str(error.response.get("Error", {}).get("Code")) in MISSING:
                raise FileNotFoundError(key) from error
            raise self._unavailable(action, key, error) from error
        except BotoCoreError as error:  # unreachable endpoint, timeout, no credentials
            raise self._unavailable(action, key, error) from error

    def _unavailable(self, action: str, key: str, error: Exception) -> StorageUnavailable:
        log.error("could not %s %s in bucket %s: %s", action, key, self.bucket, error)
        return StorageUnavailable(f"object storage unavailable ({action} {key})")
