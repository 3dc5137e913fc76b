"""CSV exports for Excel: UTF-8 with a BOM (else Excel shows the Chinese as mojibake), formulas neutralised.

The same rows feed the XLSX export (`xlsx_export`): a value the workbook keeps typed but the CSV shows as text
(a timestamp on the company's clock, a rate as "62.5%") is a `Shown`, made by `when` and `percent`.
"""
import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response

from app.core.db import local

# A cell starting with one of these is a formula to Excel: text typed by a user ("=HYPERLINK(…)" as a ticket
# description) must stay text, so it gets a leading apostrophe. Numbers are left alone (−3 is a number).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Shown:
    """A value the workbook writes typed (with an Excel number format, if any) and the CSV writes as `text`."""

    value: object
    text: str
    format: str | None = None


def when(moment: datetime | None, seconds: bool = False, clock_only: bool = False, tz: ZoneInfo | None = None
         ) -> Shown | str:
    """A stored moment on the company's wall clock (or `tz`'s): "2026-03-01 08:00" in the CSV ("08:00" with
    `clock_only`, to the second with `seconds`), a date-time in the workbook."""
    if moment is None:
        return ""
    wall = moment.astimezone(tz) if tz else local(moment)
    if clock_only:
        return Shown(moment, f"{wall:%H:%M}", "hh:mm")
    if seconds:
        return Shown(moment, f"{wall:%Y-%m-%d %H:%M:%S}", "yyyy-mm-dd hh:mm:ss")
    return Shown(moment, f"{wall:%Y-%m-%d %H:%M}", "yyyy-mm-dd hh:mm")


def percent(rate: float | None) -> Shown | str:
    """A rate: "62.5%" in the CSV, 0.625 formatted as a percentage in the workbook; empty when there is none."""
    return "" if rate is None else Shown(rate, f"{rate * 100:.1f}%", "0.0%")


def cell(value):
    """A value as written to the sheet: user text that Excel would run as a formula is made plain text."""
    if isinstance(value, Shown):
        value = value.text
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(rows: Iterable[Iterable], filename: str) -> Response:
    """The rows (the first one the header) as a CSV download named `filename`."""
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerows([cell(value) for value in row] for row in rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
