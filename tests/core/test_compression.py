"""Compression is negotiated: brotli or gzip as the client accepts, none when it asks for none, `Vary` always,
and never for what is compressed already (JPEG photos)."""
import gzip
from pathlib import Path

import brotli
import pytest

from app.core.storage import storage
from app.extensions import compress
from tests.images import image

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_are_compressed_with_what_the_client_accepts(login_as, world, encoding):
    client = login_as("admin")
    plain = client.get("/admin/users", headers={"Accept-Encoding": "identity"})
    packed = client.get("/admin/users", headers={"Accept-Encoding": encoding})
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.vary and "HX-Request" in packed.vary
    assert len(packed.data) < len(plain.data)
    assert DECODE[encoding](packed.data).decode().count("<tr") == plain.get_data(as_text=True).count("<tr")


def test_brotli_is_chosen_when_the_client_accepts_both(client, world):
    assert client.get("/login", headers={"Accept-Encoding": "gzip, deflate, br"}).headers["Content-Encoding"] == "br"


def test_a_client_that_accepts_no_encoding_gets_the_plain_bytes(client, world):
    for headers in ({}, {"Accept-Encoding": "identity"}):
        response = client.get("/login", headers=headers)
        assert "Content-Encoding" not in response.headers and "<form" in response.get_data(as_text=True)
        assert "Accept-Encoding" in response.vary


def test_json_is_compressed(client):
    response = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})  # larger than the minimum size
    assert response.headers["Content-Encoding"] == "gzip" and gzip.decompress(response.data).startswith((b"{", b"["))


@pytest.mark.parametrize("path", ["/static/css/app.css", "/static/js/inspection.js", "/static/vendor/htmx/htmx.min.js"])
def test_static_files_are_compressed_once_and_served_from_memory(app, client, path):
    raw = (Path(app.root_path).parent / path.lstrip("/")).read_bytes()
    first = client.get(path, headers={"Accept-Encoding": "br"})
    assert first.headers["Content-Encoding"] == "br" and brotli.decompress(first.data) == raw
    assert "Accept-Encoding" in first.vary
    assert f"br;static:{path}" in compress.cache.bodies
    again = client.get(path, headers={"Accept-Encoding": "br"})
    assert again.data == first.data and int(again.headers["Content-Length"]) == len(first.data)
    assert client.get(path, headers={"Accept-Encoding": "identity"}).data == raw


def test_a_static_file_revalidates_per_encoding(client):
    first = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    again = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert first.headers["ETag"].endswith(':gzip"') and again.status_code == 304


def test_jpeg_photos_and_pngs_are_not_compressed_again(app, login_as, world):
    with app.app_context():
        storage().save(world.photos["p1"].key, image("JPEG", size=(1200, 900)), "image/jpeg")
    response = login_as("guard").get(f"/photos/{world.photos['p1'].id}", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert "Content-Encoding" not in response.headers
    icon = login_as("guard").get("/static/icons/icon-192.png", headers={"Accept-Encoding": "gzip, br"})
    assert icon.status_code == 200 and "Content-Encoding" not in icon.headers
