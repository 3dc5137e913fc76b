"""Where media (photos, signatures) live: a local folder or an S3-compatible bucket.

Both backends offer the same calls: save, open, url, delete, and listing (for `flask media check`). Keys are
relative paths such as "photos/2026/11/abc.jpg". `url` hands out a link that expires: a presigned URL on S3, a signed
/media/ link locally. Callers check that the user may see the record before asking for a URL.
"""
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from flask import current_app, url_for
from itsdangerous import URLSafeTimedSerializer

TMP_PREFIX = ".tmp-"


class StorageError(Exception):
    pass


def check_key(key: str) -> str:
    """Refuse keys that could escape the media root or confuse a bucket."""
    path = PurePosixPath(key)
    if not key or path.is_absolute() or ".." in path.parts or "\\" in key or key != str(path):
        raise StorageError(f"invalid media key: {key!r}")
    return key


class LocalStorage:
    def __init__(self, root: str, secret_key: str, expires: int):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.expires = expires
        self._signer = URLSafeTimedSerializer(secret_key, salt="media")

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def save(self, key: str, data: bytes | BinaryIO, content_type: str = "application/octet-stream") -> str:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        body = data if isinstance(data, bytes) else data.read()
        # write then rename: a reader never sees half a photo; a failed write leaves no temporary file behind
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(body)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError as exc:
            raise StorageError(f"no such media: {key}") from exc

    def url(self, key: str) -> str:
        return url_for("core.media", token=self._signer.dumps(check_key(key)))

    def key_from_token(self, token: str) -> str | None:
        """The key a signed /media/ link points to, or None when forged or expired."""
        try:
            return check_key(self._signer.loads(token, max_age=self.expires))
        except Exception:  # BadSignature, SignatureExpired, StorageError
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def listing(self) -> dict[str, datetime]:
        """Every stored key (temporary files of interrupted writes included) with when it was last written."""
        return {str(path.relative_to(self.root).as_posix()): datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
                for path in self.root.rglob("*") if path.is_file()}


class S3Storage:
    def __init__(self, *, bucket, endpoint_url, region, access_key_id, secret_access_key, expires):
        import boto3
        from botocore.config import Config as BotoConfig

        self.bucket = bucket
        self.expires = expires
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=BotoConfig(signature_version="s3v4", retries={"max_attempts": 3}),
        )

    def save(self, key: str, data: bytes | BinaryIO, content_type: str = "application/octet-stream") -> str:
        body = data if isinstance(data, bytes) else data.read()
        self.client.put_object(Bucket=self.bucket, Key=check_key(key), Body=body, ContentType=content_type)
        return key

    def open(self, key: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=check_key(key))["Body"]
        except ClientError as exc:
            raise StorageError(f"no such media: {key}") from exc

    def url(self, key: str) -> str:
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": check_key(key)}, ExpiresIn=self.expires
        )

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def listing(self) -> dict[str, datetime]:
        """Every key in the bucket with when it was last written."""
        found = {}
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            found.update({item["Key"]: item["LastModified"] for item in page.get("Contents", [])})
        return found


def make_storage(config) -> LocalStorage | S3Storage:
    if config["MEDIA_BACKEND"] == "s3":
        return S3Storage(
            bucket=config["S3_BUCKET"],
            endpoint_url=config["S3_ENDPOINT_URL"],
            region=config["S3_REGION"],
            access_key_id=config["S3_ACCESS_KEY_ID"],
            secret_access_key=config["S3_SECRET_ACCESS_KEY"],
            expires=config["MEDIA_URL_EXPIRES"],
        )
    if config["MEDIA_BACKEND"] != "local":
        raise ValueError(f"MEDIA_BACKEND must be 'local' or 's3', not {config['MEDIA_BACKEND']!r}")
    return LocalStorage(config["MEDIA_ROOT"], config["SECRET_KEY"], config["MEDIA_URL_EXPIRES"])


def init_app(app):
    app.extensions["storage"] = make_storage(app.config)


def storage() -> LocalStorage | S3Storage:
    return current_app.extensions["storage"]
