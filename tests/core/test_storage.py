"""The storage interface, on a local folder and on a real S3-protocol server (moto in server mode)."""
import socket

import boto3
import pytest
from moto.server import ThreadedMotoServer

from app.core.storage import LocalStorage, S3Storage, StorageError


@pytest.fixture(scope="module")
def s3_endpoint():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint):
    keys = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **keys).create_bucket(Bucket="wuye-test")
    return S3Storage(bucket="wuye-test", endpoint_url=s3_endpoint, region="us-east-1", access_key_id="test",
                     secret_access_key="test", expires=60)


@pytest.fixture
def local(tmp_path):
    return LocalStorage(str(tmp_path / "media"), "secret", expires=60)


@pytest.fixture(params=["local", "s3"])
def store(request):
    return request.getfixturevalue(request.param)


def test_what_is_saved_reads_back_the_same(store):
    body = bytes(range(256)) * 100
    assert store.save("photos/2026/11/a.jpg", body, "image/jpeg") == "photos/2026/11/a.jpg"
    with store.open("photos/2026/11/a.jpg") as fh:
        assert fh.read() == body


def test_saving_again_replaces(store):
    store.save("x/one.txt", b"first")
    store.save("x/one.txt", b"second")
    assert store.open("x/one.txt").read() == b"second"


def test_deleted_media_is_gone(store):
    store.save("x/gone.txt", b"bye")
    store.delete("x/gone.txt")
    with pytest.raises(StorageError):
        store.open("x/gone.txt")


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs/path", "a/../../b", "a\\b", "", "a//b"])
def test_keys_cannot_escape(store, key):
    with pytest.raises(StorageError):
        store.save(key, b"x")


def test_an_s3_url_is_presigned_and_works(s3):
    import urllib.request

    s3.save("p/photo.jpg", b"jpeg-bytes", "image/jpeg")
    url = s3.url("p/photo.jpg")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url
    with urllib.request.urlopen(url) as response:
        assert response.read() == b"jpeg-bytes"


def test_a_local_url_is_signed_and_served(app, client):
    from app.core.storage import storage

    with app.test_request_context():
        storage().save("p/photo.jpg", b"jpeg-bytes", "image/jpeg")
        url = storage().url("p/photo.jpg")
    assert client.get(url).data == b"jpeg-bytes"
    forged = url[:-3] + ("aaa" if not url.endswith("aaa") else "bbb")
    assert client.get(forged).status_code == 404


def test_a_local_url_expires(local):
    from itsdangerous import URLSafeTimedSerializer

    token = URLSafeTimedSerializer("secret", salt="media").dumps("p/photo.jpg")
    assert local.key_from_token(token) == "p/photo.jpg"
    local.expires = -1
    assert local.key_from_token(token) is None
