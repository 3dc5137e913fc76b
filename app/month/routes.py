"""The month, for managers: every site's figures this month against last, as a page, an A4 PDF, a CSV and an XLSX."""
from flask import abort, current_app, render_template, request
from flask_login import current_user

from app.core.db import get_session, local, utcnow
from app.core.permissions import manager_required
from app.core.views import month_arg
from app.month import bp, services
from app.reports.csv_export import csv_response
from app.reports.pdf import pdf_response, render_pdf
from app.reports.xlsx_export import xlsx_response

PAGE_SIZE = 100  # sites a page shows (sorted over all of them): 500 sites made a 0.9 MB page
HELPERS = {"measures": services.MEASURES, "cells": services.cells, "spark_text": services.spark_text}


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
    context = _context(organisation_id)
    page = max(1, request.args.get("page", 1, type=int))
    context.update(page=page, more=len(context["sites"]) > page * PAGE_SIZE, total=len(context["sites"]),
                   first=(page - 1) * PAGE_SIZE + 1, sites=context["sites"][(page - 1) * PAGE_SIZE:page * PAGE_SIZE])
    return render_template("month/matrix.html", **context)


@bp.get("/organisations/<int:organisation_id>/month.pdf")
@manager_required
def matrix_pdf(organisation_id: int):
    """The month's figures of every site as an A4 landscape PDF, in the page's order."""
    context = _context(organisation_id)
    context["grid"] = [(site, services.cells(site)) for site in [context["matrix"].company, *context["sites"]]]
    return pdf_response(render_pdf("reports/month_matrix.html", **context), f"month-{context['matrix'].month}.pdf")


@bp.get("/organisations/<int:organisation_id>/month.csv")
@manager_required
def matrix_csv(organisation_id: int):
    """The month's figures of every site for a spreadsheet: this month and last per figure."""
    matrix = _matrix(organisation_id)
    return csv_response(services.csv_rows(matrix), f"month-{matrix.month}.csv")


@bp.get("/organisations/<int:organisation_id>/month.xlsx")
@manager_required
def matrix_xlsx(organisation_id: int):
    """The same figures as a workbook whose rates and scores are numbers (a manager's sort sorts them)."""
    matrix = _matrix(organisation_id)
    return xlsx_response([services.xlsx_sheet(matrix)], f"month-{matrix.month}.xlsx")
