"""Shift reports: the daily shift report (page, A4 PDF, CSV) and the water bar's month (page, CSV)."""
from datetime import date

from flask_babel import gettext as _

from app.accounts.services import users_by_id
from app.core.db import get_session, utcnow
from app.core.permissions import project_required
from app.core.views import day_arg, month_arg, render
from app.handovers import board as handovers
from app.handovers.models import CHECK_LABELS
from app.projects.models import Project
from app.reports.csv_export import csv_response
from app.reports.pdf import data_uri, pdf_response, render_pdf
from app.shifts import bp, services, water

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
    clock = lambda moment: c["local"](moment).strftime("%Y-%m-%d %H:%M") if moment else ""  # noqa: E731
    rows = [[_("岗位"), _("班次"), _("人员"), _("上班"), _("下班"), _("接待人数")]]
    rows += [[r.post.name, r.pattern.name, r.user.display_name, clock(r.attendance.started_at),
              clock(r.attendance.ended_at), r.attendance.visitors] for r in c["shifts"]]
    rows += [[], [_("物品"), _("单位"), _("期初"), _("用量"), _("补货"), _("账面结存"), _("盘点"), _("差异(短缺为正)")]]
    rows += [[i.name, i.unit, ln.opening, ln.used, ln.restocked, ln.expected,
              "" if ln.counted is None else ln.counted, "" if ln.variance is None else ln.variance]
             for i, ln in c["sheet"]]
    return csv_response(rows, f"shifts-{project.id}-{c['day']}.csv")


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
    rows = [[_("物品"), _("单位"), _("用量"), _("补货"), _("盘点天数"), _("差异合计(短缺为正)")]]
    rows += [[ln.item.name, ln.item.unit, ln.used, ln.restocked, ln.counted_days, ln.variance] for ln in c["lines"]]
    return csv_response(rows, f"water-{project.id}-{c['month']}.csv")
