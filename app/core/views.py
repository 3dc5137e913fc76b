"""Small helpers every view uses."""
import re
from datetime import date
from urllib.parse import urlsplit

from flask import current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import BadRequest

MONTH = re.compile(r"(\d{4})-(\d{2})")
# Reports take dates from the URL; year 1 or 9999 would overflow a day's bounds in UTC.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


# Answers a logged-in user's browser, a proxy or the service worker must not keep in an HTTP cache (static
# files and signed media links keep their own caching).
NO_STORE = {"text/html", "application/json", "text/csv", "application/pdf"}


def is_htmx() -> bool:
    """Whether htmx asks for a fragment (htmx-flask's request.htmx); the answer then varies by HX-Request."""
    g.varies_on_htmx = True
    return bool(request.htmx) and not request.htmx.boosted


def render(template_name: str, fragment: str | None = None, status: int = 200, **context):
    """The full page, or only its fragment when htmx asks: the page includes the same fragment."""
    template = fragment if fragment and is_htmx() else template_name
    return render_template(template, **context), status


def refuse(message: str):
    """A 400 whose error page shows this message (already translated) instead of the generic one."""
    refusal = BadRequest(message)
    refusal.user_message = True
    raise refusal


def day_arg(today: date) -> date:
    """`?day=YYYY-MM-DD`, `today` when absent; else a 400 that says why."""
    value = request.args.get("day", "").strip()
    if not value:
        return today
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        refuse(_("无法识别日期“%(value)s”,请用 YYYY-MM-DD 格式。", value=value[:20]))
    return day


def month_arg(today: date) -> tuple[int, int]:
    """`?month=YYYY-MM` as (year, month), today's month when absent; else a 400 that says why."""
    value = request.args.get("month", "").strip()
    if not value:
        return today.year, today.month
    found = MONTH.fullmatch(value)
    if not found or not 1 <= int(found[2]) <= 12 or not FIRST_DAY.year <= int(found[1]) <= LAST_DAY.year:
        refuse(_("无法识别月份“%(value)s”,请用 YYYY-MM 格式,例如 2026-03。", value=value[:20]))
    return int(found[1]), int(found[2])


def safe_next(target: str | None, endpoint: str = "core.index") -> str:
    """Where to go after a step (`?next=`, a form's `next`): a path of this site, read as the browser will read
    it (tabs and newlines dropped, backslashes taken as slashes), else `endpoint`: to a browser
    `/%09/evil.example` and `/\\evil.example` are `//evil.example`, another site."""
    target = re.sub(r"[\t\n\r]", "", target or "").replace("\\", "/")
    parts = urlsplit(target)
    if (target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc
            and not re.search(r"[\x00-\x1f\x7f]", target)):
        return target
    return url_for(endpoint)


def back_to(endpoint: str, **values):
    """Post/redirect/get for plain form posts."""
    return redirect(url_for(endpoint, **values))


def security_headers(response):
    """No framing, no MIME sniffing, no inline script (images may come from the media store); no caching of a
    logged-in user's pages and data; `Vary: HX-Request` where the fragment or the page was chosen by it."""
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
    if g.get("varies_on_htmx"):
        response.vary.add("HX-Request")
    if (response.mimetype in NO_STORE and response.headers.get("Cache-Control") != "no-store"
            and current_user.is_authenticated):  # (an answer already marked loads no user: app/sync/gate.py)
        response.headers["Cache-Control"] = "no-store"
    return response
