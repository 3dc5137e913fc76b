"""CSV exports for Excel: UTF-8 with a BOM (else Excel shows the Chinese as mojibake), formulas neutralised."""
import csv
import io
from collections.abc import Iterable

from flask import Response

# A cell starting with one of these is a formula to Excel: text typed by a user ("=HYPERLINK(…)" as a ticket
# description) must stay text, so it gets a leading apostrophe. Numbers are left alone (−3 is a number).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """A value as written to the sheet: user text that Excel would run as a formula is made plain text."""
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
