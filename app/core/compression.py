"""Response compression: brotli or gzip as the client accepts, through Flask-Compress.

Pages, htmx fragments, JSON, CSS, JS, SVG and the manifest are compressed; JPEG photos and PDFs are not
(they are compressed already). A static file is compressed once per encoding and kept in memory: its bytes
only change with a deploy, which restarts the process. Every response says `Vary: Accept-Encoding`, so a
cache between the phone and the server keeps one copy per encoding.
"""
from flask import Flask, request

from app.extensions import compress

MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
             "application/manifest+json", "image/svg+xml", "text/csv", "text/plain"]
STATIC = "static:"


class StaticFilesOnly:
    """Flask-Compress's cache, holding the compressed bodies of static files and nothing else."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.bodies.get(key)

    def set(self, key: str, value: bytes) -> None:
        if STATIC in key:
            self.bodies[key] = value


def _key(req) -> str:
    # Flask-Compress asks every compressed response for a key; only static files get one worth keeping.
    whole_file = req.endpoint == "static" and "Range" not in req.headers
    return f"{STATIC}{req.path}" if whole_file else ""


def _read_static_whole(response):
    """A static file arrives as a stream; read it, so Flask-Compress compresses it once and keeps it, like a page."""
    if (request.endpoint == "static" and response.status_code == 200 and response.mimetype in MIMETYPES
            and response.is_streamed):
        response.direct_passthrough = False
        response.get_data()
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_CACHE_BACKEND", StaticFilesOnly)
    app.config.setdefault("COMPRESS_CACHE_KEY", _key)
    compress.init_app(app)
    app.after_request(_read_static_whole)  # after_request runs last-registered first: before Flask-Compress
