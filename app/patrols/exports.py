"""A day's patrols as tables: the visits (for the CSV and the workbook) and the rounds (the workbook's first sheet)."""
from flask_babel import gettext as _

from app.reports.csv_export import when
from app.reports.xlsx_export import Sheet


def visit_rows(board: dict, flag_labels: dict) -> list[list]:
    """One row per visit, the header first: where, when by the phone and by the server, how, its flags."""
    rows = [[_("路线"), _("轮次"), _("巡更点"), _("扫码时间"), _("到达服务器"), _("方式"), _("标记"), _("不合格项")]]
    for view in board["rounds"]:
        stops = {s["position"]: s for s in view.round.stops}
        for flagged in view.assessment.visits:
            visit = flagged.visit
            rows.append([view.route.name, when(view.round.slot_start, clock_only=True), stops[visit.position]["name"],
                         when(visit.scanned_at, seconds=True), when(visit.received_at, seconds=True),
                         _("扫码") if visit.method == "qr" else _("手动"),
                         " ".join(flag_labels[f] for f in flagged.flags), " ".join(visit.failed)])
    return rows


def round_rows(board: dict, status_labels: dict) -> list[list]:
    """One row per round: its window, its outcome, how many stops were visited, missed and flagged."""
    rows = [[_("路线"), _("轮次"), _("截止"), _("状态"), _("巡更点"), _("已到"), _("漏巡"), _("有标记"), _("完成时间")]]
    for view in board["rounds"]:
        a = view.assessment
        rows.append([view.route.name, when(view.round.slot_start), when(view.round.deadline),
                     status_labels[a.status], len(view.round.stops), len({f.visit.position for f in a.visits}),
                     len(a.missed_positions), sum(1 for f in a.visits if f.flags), when(view.round.finished_at)])
    return rows


def day_sheets(board: dict, labels: dict) -> list[Sheet]:
    """The workbook of a day's patrols: the rounds, then every visit."""
    rounds, visits = round_rows(board, labels["status_labels"]), visit_rows(board, labels["flag_labels"])
    return [Sheet.of(_("轮次"), rounds), Sheet.of(_("巡更记录"), visits)]
