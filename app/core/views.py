"""Small helpers every view uses."""
from flask import redirect, render_template, request, url_for


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render(page: str, fragment: str | None = None, status: int = 200, **context):
    """The full page, or only its fragment when htmx asks: the page includes the same fragment."""
    template = fragment if fragment and is_htmx() else page
    return render_template(template, **context), status


def back_to(endpoint: str, **values):
    """Post/redirect/get for plain form posts."""
    return redirect(url_for(endpoint, **values))
