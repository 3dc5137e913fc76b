"""The daily complaint report and the monthly front-desk report: pages, A4 PDFs, CSV and XLSX, from one context each."""

from flask import current_app, render_template
from flask_babel import gettext as _

from app.callbacks import services as callbacks
from app.complaints import bp, reports
from app.complaints.routes import labels
from app.complaints.workflow import DESK
from app.core.db import get_session, local, utcnow
from app.core.permissions import project_required
from app.core.views import day_arg, month_arg
from app.frontdesk.services import channel_counts
from app.projects.models import Project
from app.repairs.figures import month_bounds, month_figures, percent
from app.reports.csv_export import csv_response
from app.reports.pdf import pdf_response, render_pdf
from app.reports.xlsx_export import Sheet, xlsx_response


def daily_context(project: Project) -> dict:
    tz = current_app.config["TIMEZONE"]
    report = reports.day_report(get_session(), project_id=project.id, day=day_arg(local(utcnow()).date()), tz=tz)
    return {"project": project, "report": report, "generated_at": utcnow(), "tz": tz, **labels()}


@bp.get("/projects/<int:project_id>/complaints/daily")
@project_required(*DESK)
def daily(project: Project):
    """The day's complaint report (客户投诉信息日报表), with links to its PDF and CSV."""
    return render_template("complaints/daily.html", **daily_context(project))


@bp.get("/projects/<int:project_id>/complaints/daily.pdf")
@project_required(*DESK)
def daily_pdf(project: Project):
    """The day's complaint report as an A4 PDF."""
    context = daily_context(project)
    return pdf_response(render_pdf("reports/complaints_daily.html", **context),
                        f"complaints-{project.id}-{context['report'].day}.pdf")


@bp.get("/projects/<int:project_id>/complaints/daily.csv")
@project_required(*DESK)
def daily_csv(project: Project):
    """The day's complaints, one row each, and the day's counts below them."""
    c = daily_context(project)
    rows = reports.day_csv(c["report"], {"tz": c["tz"], "channels": c["channel_labels"], "statuses": c["status_labels"]})
    return csv_response(rows, f"complaints-{project.id}-{c['report'].day}.csv")


@bp.get("/projects/<int:project_id>/complaints/daily.xlsx")
@project_required(*DESK)
def daily_xlsx(project: Project):
    """The day's complaints and the day's counts, a sheet each, as an Excel workbook."""
    c = daily_context(project)
    rows, counts = reports.day_tables(c["report"], {"tz": c["tz"], "channels": c["channel_labels"],
                                                    "statuses": c["status_labels"]})
    return xlsx_response([Sheet.of(_("投诉"), rows), Sheet.of(_("当日统计"), counts)],
                         f"complaints-{project.id}-{c['report'].day}.xlsx")


def monthly_context(project: Project) -> dict:
    db, tz, now = get_session(), current_app.config["TIMEZONE"], utcnow()
    year, month = month_arg(local(now).date())
    start, end = month_bounds(year, month, tz)
    return {"project": project, "month": f"{year:04d}-{month:02d}", "generated_at": now, "percent": percent,
            "intakes": channel_counts(db, [project.id], start, end)[project.id],
            "repairs": month_figures(db, project_id=project.id, year=year, month=month, tz=tz).total,
            "complaints": reports.month_complaints(db, project_id=project.id, start=start, end=end, now=now),
            "satisfaction": callbacks.satisfaction(db, project.id, start, end), **labels()}


@bp.get("/projects/<int:project_id>/frontdesk/monthly")
@project_required(*DESK)
def monthly(project: Project):
    """The month's front-desk report: calls and visits, repairs, complaints, deadlines met, callbacks, 满意率."""
    return render_template("complaints/monthly.html", **monthly_context(project))


@bp.get("/projects/<int:project_id>/frontdesk/monthly.pdf")
@project_required(*DESK)
def monthly_pdf(project: Project):
    """The month's front-desk report as an A4 PDF (客服前台月报)."""
    context = monthly_context(project)
    return pdf_response(render_pdf("reports/frontdesk_month.html", **context),
                        f"frontdesk-{project.id}-{context['month']}.pdf")


@bp.get("/projects/<int:project_id>/frontdesk/monthly.csv")
@project_required(*DESK)
def monthly_csv(project: Project):
    """The month's front-desk figures for a spreadsheet: one row per figure."""
    c = monthly_context(project)
    return csv_response(reports.month_csv(c), f"frontdesk-{project.id}-{c['month']}.csv")


@bp.get("/projects/<int:project_id>/frontdesk/monthly.xlsx")
@project_required(*DESK)
def monthly_xlsx(project: Project):
    """The month's front-desk figures as a workbook: counts as numbers, rates as percentages."""
    c = monthly_context(project)
    return xlsx_response([Sheet.of(c["month"], reports.month_csv(c))], f"frontdesk-{project.id}-{c['month']}.xlsx")
