"""Shift reports: the daily shift report (page, A4 PDF, CSV, XLSX) and the water bar's month (page, CSV, XLSX)."""
from datetime import date

from app.accounts.services import users_by_id
from app.core.db import get_session, utcnow
from app.core.permissions import project_required
from app.core.views import day_arg, month_arg, render
from app.handovers import board as handovers
from app.handovers.models import CHECK_LABELS
from app.projects.models import Project
from app.reports.csv_export import csv_response
from app.reports.pdf import data_uri, pdf_response, render_pdf
from app.reports.xlsx_export import Sheet, xlsx_response
from app.shifts import bp, exports, services, water

READERS = ("supervisor",)


def daily_context(project: Project, day: date) -> dict:
    """What the daily shift report shows, the same for the page, the PDF and the CSV."""
    db = get_session()
    start, end = services.day_bounds(day)
    shifts = services.shifts_of_day(db, project, day)
    ids = [row.attendance.id for row in shifts]
    events = services.events_of(db, ids)
    matters = services.matters_of(db, ids)
    still_open = [m for m in services.open_matters(db, project) if m not in matters]
    return {"project": project, "day": day, "shifts": shifts, "by_id": {r.attendance.id: r for r in shifts},
            "events": services.with_photos(db, events), "matters": matters,
            "still_open": still_open, "sheet": water.day_sheet(db, project, day, active_only=False),
            "people": users_by_id(db, [u for m in matters + still_open
                                           for u in (m.raised_by, m.acknowledged_by, m.closed_by)]),
            "local": services.local, "generated_at": utcnow(),
            "total_visitors": sum(r.attendance.visitors for r in shifts),
            "rooms_day": handovers.day_records(db, project=project, start=start, end=end),
            "check_labels": CHECK_LABELS}


@bp.get("/projects/<int:project_id>/shifts/daily")
@project_required(*READERS)
def daily(project: Project):
    """The daily shift report as a page, with links to its PDF and CSV."""
    return render("shifts/daily.html", **daily_context(project, day_arg(services.local_day(utcnow()))))


@bp.get("/projects/<int:project_id>/shifts/daily.pdf")
@project_required(*READERS)
def daily_pdf(project: Project):
    """The daily shift report (值班日报) as an A4 PDF."""
    context = daily_context(project, day_arg(services.local_day(utcnow())))
    return pdf_response(render_pdf("reports/shifts_daily.html", data_uri=data_uri, **context),
                        f"shifts-{project.id}-{context['day']}.pdf")


@bp.get("/projects/<int:project_id>/shifts/daily.csv")
@project_required(*READERS)
def daily_csv(project: Project):
    """The day's shifts, one row each, and the water-bar sheet below them, for a spreadsheet."""
    c = daily_context(project, day_arg(services.local_day(utcnow())))
    return csv_response(exports.shift_rows(c) + [[]] + exports.water_rows(c), f"shifts-{project.id}-{c['day']}.csv")


@bp.get("/projects/<int:project_id>/shifts/daily.xlsx")
@project_required(*READERS)
def daily_xlsx(project: Project):
    """The daily report as a workbook: the shifts, the duty log, the matters, the water bar, a sheet each."""
    c = daily_context(project, day_arg(services.local_day(utcnow())))
    return xlsx_response(exports.day_sheets(c), f"shifts-{project.id}-{c['day']}.xlsx")


def _month_context(project: Project) -> dict:
    year, month = month_arg(services.local_day(utcnow()))
    lines = water.month_summary(get_session(), project, year, month)
    return {"project": project, "month": f"{year:04d}-{month:02d}", "lines": lines,
            "top": max([ln.used for ln in lines] + [1])}


@bp.get("/projects/<int:project_id>/water/month")
@project_required(*READERS)
def water_month(project: Project):
    """The water bar's month: quantities used and restocked per item, a bar chart, the summed variance."""
    return render("shifts/water_month.html", **_month_context(project))


@bp.get("/projects/<int:project_id>/water/month.csv")
@project_required(*READERS)
def water_month_csv(project: Project):
    """The month's consumption per item, for a spreadsheet."""
    c = _month_context(project)
    return csv_response(exports.water_month_rows(c), f"water-{project.id}-{c['month']}.csv")


@bp.get("/projects/<int:project_id>/water/month.xlsx")
@project_required(*READERS)
def water_month_xlsx(project: Project):
    """The month's consumption per item as a workbook, quantities as numbers."""
    c = _month_context(project)
    return xlsx_response([Sheet.of(c["month"], exports.water_month_rows(c))], f"water-{project.id}-{c['month']}.xlsx")
