"""The month, for managers: every site's figures this month against last, as a page, an A4 PDF and a CSV."""
from flask import abort, current_app, render_template, request
from flask_login import current_user

from app.core.db import get_session, local, utcnow
from app.core.permissions import manager_required
from app.core.views import month_arg
from app.month import bp, services
from app.reports.csv_export import csv_response
from app.reports.pdf import pdf_response, render_pdf

HELPERS = {"measures": services.MEASURES, "shown": services.shown, "change_text": services.change_text,
           "better": services.better, "spark_points": services.spark_points}


def _matrix(organisation_id: int) -> services.Matrix:
    """The month asked for (`?month=`), of the reader's own company (another company's is a 404)."""
    if organisation_id != current_user.organisation_id:
        abort(404)
    year, month = month_arg(local(utcnow()).date())
    return services.month_matrix(get_session(), organisation_id=organisation_id, year=year, month=month,
                                 tz=current_app.config["TIMEZONE"], now=utcnow())


def _context(organisation_id: int) -> dict:
    matrix = _matrix(organisation_id)
    sort, descending = request.args.get("sort", "rank"), request.args.get("order") == "desc"
    return {"matrix": matrix, "sites": services.sort_sites(matrix.sites, sort, descending), "sort": sort,
            "descending": descending, "generated_at": utcnow(), **HELPERS}


@bp.get("/organisations/<int:organisation_id>/month")
@manager_required
def matrix(organisation_id: int):
    """Every site × the month's figures against last month, with six months of trend; sortable by any column."""
    return render_template("month/matrix.html", **_context(organisation_id))


@bp.get("/organisations/<int:organisation_id>/month.pdf")
@manager_required
def matrix_pdf(organisation_id: int):
    """The month's figures of every site as an A4 landscape PDF, in the page's order."""
    context = _context(organisation_id)
    return pdf_response(render_pdf("reports/month_matrix.html", **context), f"month-{context['matrix'].month}.pdf")


@bp.get("/organisations/<int:organisation_id>/month.csv")
@manager_required
def matrix_csv(organisation_id: int):
    """The month's figures of every site for a spreadsheet: this month and last per figure."""
    matrix = _matrix(organisation_id)
    return csv_response(services.csv_rows(matrix), f"month-{matrix.month}.csv")
