"""Small helpers every view uses."""
from flask import current_app, redirect, render_template, request, url_for


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render(template_name: str, fragment: str | None = None, status: int = 200, **context):
    """The full page, or only its fragment when htmx asks: the page includes the same fragment."""
    template = fragment if fragment and is_htmx() else template_name
    return render_template(template, **context), status


def back_to(endpoint: str, **values):
    """Post/redirect/get for plain form posts."""
    return redirect(url_for(endpoint, **values))


def security_headers(response):
    """No framing, no MIME sniffing, no inline script; images may come from the media store."""
    img = "'self' data: blob:"
    if current_app.config["MEDIA_BACKEND"] == "s3":
        endpoint = current_app.config["S3_ENDPOINT_URL"]
        img += " " + (endpoint.rstrip("/") if endpoint else "https://*.amazonaws.com")
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; img-src {img}; style-src 'self'; script-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
