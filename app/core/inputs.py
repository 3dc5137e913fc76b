"""The input boundary: what reaches a view or a service is well-formed.

One hook runs before every other (CSRF included): it parses the body once and refuses a multipart part
without a usable name (400), and text the databases cannot store — a NUL byte (PostgreSQL refuses it) or a
lone surrogate (no UTF-8 encoding exists for it) — anywhere in the path, the query string, a form or a JSON
body (422, in the user's language). JSON from outside (the outbox's `record`) goes through `load_json`, which
also bounds its depth and its numbers. The same on SQLite and PostgreSQL.
"""
import json
import math
import re

from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from app.core.refusal import Refusal

BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
# A phone's JavaScript number holds integers exactly up to 2**53; every id and count of ours fits in it, and
# it stays inside SQLite's and PostgreSQL's 64-bit integers.
MAX_INT = 2**53 - 1
MAX_DEPTH = 20  # records nest a few levels (data → items → photos); far deeper is an attack, not a form


class Malformed(ValueError):
    """The input is not well-formed: a 400."""


def refuse_bad_text(fields: list[str]) -> None:
    raise Refusal(_("提交的内容含有无法识别的字符(如空字符),请删除后重试。"),
                  {name: _("含有无法识别的字符") for name in fields if name})


def _bad(value) -> bool:
    return isinstance(value, str) and BAD_TEXT.search(value) is not None


def _bounded_int(text: str) -> int:
    number = int(text)  # Python refuses more than 4300 digits itself (ValueError)
    if abs(number) > MAX_INT:
        raise Malformed(text[:20])
    return number


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise Malformed(text[:20])
    return number


def _no_constant(text: str):
    raise Malformed(text)  # NaN, Infinity, -Infinity: not JSON, and no column holds them


def load_json(text: str):
    """Parse JSON from outside. Malformed (a 400) when it is not JSON, nests deeper than MAX_DEPTH or holds a
    number no column holds; a Refusal (422) when a string or key holds a NUL or a lone surrogate."""
    try:
        value = json.loads(text, parse_int=_bounded_int, parse_float=_finite_float, parse_constant=_no_constant)
    except RecursionError:
        raise Malformed("too deep") from None
    except ValueError as exc:  # JSONDecodeError, Malformed, int() of too many digits
        raise Malformed(str(exc)[:80]) from None
    bad = []
    stack = [(value, 0, "")]
    while stack:  # iterative: the walk itself must not be the thing that recurses too deep
        item, depth, name = stack.pop()
        if depth > MAX_DEPTH:
            raise Malformed("too deep")
        if isinstance(item, dict):
            bad.extend(key for key in item if _bad(key))
            stack.extend((child, depth + 1, key) for key, child in item.items())
        elif isinstance(item, list):
            stack.extend((child, depth + 1, name) for child in item)
        elif _bad(item):
            bad.append(name or "record")
    if bad:
        refuse_bad_text(bad)
    return value


def check_request():
    """before_request, first of all: a malformed body is a 400, text with NUL or lone surrogates a 422."""
    form, files = request.form, request.files  # parsed here, once; werkzeug keeps the result for the view
    if any(not isinstance(key, str) or not key for key in (*form.keys(), *files.keys())):
        raise BadRequest("a multipart part without a usable name")
    bad = [name for name, value in (*form.items(multi=True), *request.args.items(multi=True))
           if _bad(name) or _bad(value)]
    bad += [name for name, upload in files.items(multi=True) if _bad(upload.filename)]
    if _bad(request.path):
        bad.append("path")
    if request.is_json:
        try:
            load_json(request.get_data(as_text=True))
        except Malformed:
            raise BadRequest("malformed JSON") from None
    if bad:
        refuse_bad_text(bad)
