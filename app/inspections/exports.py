"""A month of inspections as tables: the ranking, each sheet's score and deductions per category, every
deduction (the CSV's rows). Scores are numbers, so a manager sorts and sums them in the spreadsheet."""
from datetime import datetime

from flask_babel import gettext as _
from sqlmodel import Session

from app.checklists.definition import format_points
from app.inspections import objections, services
from app.inspections.ranking import Ranking
from app.reports.csv_export import Shown, when
from app.reports.xlsx_export import Column, Sheet


def _points(value: float) -> Shown:
    return Shown(value, format_points(value))


def ranking_sheet(ranking: Ranking) -> Sheet:
    """One row per site: its rank, the mean score of each checklist, the combined rate, the change, how many."""
    head = [_("排名"), _("项目"), *[s["name"] for s in ranking.sheets], Column(_("综合得分率"), "0.0"),
            Column(_("较上月"), "+0.0;-0.0;0.0"), _("上月排名"), _("检查次数"), _("暂定未计入")]
    rows = [[row.rank, row.name, *[row.scores.get(s["key"]) for s in ranking.sheets], row.combined, row.change,
             row.previous_rank, row.inspections, row.provisional] for row in ranking.rows]
    return Sheet(_("排名"), head, rows)


def deduction_table(session: Session, organisation_id: int, start: datetime, end: datetime, now: datetime,
                    status_labels: dict) -> tuple[list[list], list[list]]:
    """Every deduction of the period, and every checklist scored with its points deducted per category: two
    tables, headers first (the first is the deductions CSV)."""
    rows = services.deductions_between(session, organisation_id, start, end)
    inspections = list({i.id: (i, p) for _d, i, p in rows}.values())
    status_of = objections.statuses(session, [i for i, _p in inspections], now)
    sheets = services.sheets_of(session, {i.id for i, _p in inspections})
    sheet_names = {s.id: s.name for of_one in sheets.values() for s in of_one}
    deductions = [[_("项目"), _("检查时间"), _("检查表"), _("类别"), _("扣分项"), _("次数"), _("扣分"), _("一票否决"),
                   _("备注"), _("状态")]]
    for deduction, inspection, project in rows:
        deductions.append([project.name, when(inspection.inspected_at), sheet_names.get(deduction.sheet_id, ""),
                           deduction.category, deduction.label, deduction.count, _points(deduction.points),
                           _("是") if deduction.veto else "", deduction.note,
                           _("已撤销") if deduction.withdrawn else str(status_labels[status_of[inspection.id]])])
    scores = [[_("项目"), _("检查时间"), _("检查表"), _("满分"), _("得分"), Column(_("得分率"), "0.0"), _("一票否决"),
               _("状态"), _("类别"), _("类别扣分")]]
    for inspection, project in inspections:
        for sheet in sheets.get(inspection.id, []):
            head = [project.name, when(inspection.inspected_at), sheet.name, sheet.base_score, _points(sheet.score),
                    sheet.percentage, _("是") if sheet.vetoed else "", str(status_labels[status_of[inspection.id]])]
            scores += [head + [category, _points(points)] for category, points in sheet.by_category.items()] or [head]
    return deductions, scores


def month_sheets(ranking: Ranking, deductions: list[list], scores: list[list]) -> list[Sheet]:
    """The month's workbook: the ranking, the checklists' scores by category, every deduction."""
    return [ranking_sheet(ranking), Sheet.of(_("检查得分"), scores),
            Sheet.of(_("扣分明细"), deductions)]
