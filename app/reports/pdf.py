"""Render a report template to an A4 PDF with WeasyPrint; Chinese needs a CJK font (fonts-noto-cjk)."""
import mimetypes
from pathlib import Path
from urllib.parse import urlparse

from flask import Response, current_app, render_template
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

BASE = "http://report.invalid/"


class StaticOnlyFetcher(URLFetcher):
    """Serve /static/ files from disk and fetch nothing else, so no report can make the server call out."""

    def __init__(self, static_folder: str):
        super().__init__()
        self.static = Path(static_folder).resolve()

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = urlparse(url).path
        if url.startswith(BASE) and path.startswith("/static/"):
            target = (self.static / path.removeprefix("/static/")).resolve()
            if target.is_relative_to(self.static) and target.is_file():
                content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": content_type})
        raise ValueError(f"report may not fetch {url}")


def render_pdf(template: str, **context) -> bytes:
    """The same template and context serve the HTML preview and the PDF."""
    html = render_template(template, pdf=True, **context)
    fetcher = StaticOnlyFetcher(current_app.static_folder)
    return HTML(string=html, base_url=BASE, url_fetcher=fetcher).write_pdf(font_config=FontConfiguration())


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A PDF shown in the browser's viewer, saved under `filename`."""
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'})


def data_uri(photo) -> str:
    """A photo's thumbnail inlined into the report, so WeasyPrint never fetches it over HTTP."""
    import base64

    from app.core.storage import StorageError, storage

    try:
        with storage().open(photo.thumb_key) as fh:
            return "data:image/jpeg;base64," + base64.b64encode(fh.read()).decode()
    except StorageError:
        return ""
