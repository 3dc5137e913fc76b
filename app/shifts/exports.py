"""The shift reports as tables: the day's shifts, log, matters and water-bar sheet, and the water bar's month."""
from flask_babel import gettext as _

from app.reports.csv_export import when
from app.reports.xlsx_export import Sheet


def shift_rows(c: dict) -> list[list]:
    """The day's shifts (from `reports.daily_context`), one row each, the header first."""
    return [[_("岗位"), _("班次"), _("人员"), _("上班"), _("下班"), _("接待人数")]] + [
        [r.post.name, r.pattern.name, r.user.display_name, when(r.attendance.started_at), when(r.attendance.ended_at),
         r.attendance.visitors] for r in c["shifts"]]


def water_rows(c: dict) -> list[list]:
    """The day's water-bar sheet: every item's opening, usage, restock, book stock, count and shortfall."""
    return [[_("物品"), _("单位"), _("期初"), _("用量"), _("补货"), _("账面结存"), _("盘点"), _("差异(短缺为正)")]] + [
        [i.name, i.unit, ln.opening, ln.used, ln.restocked, ln.expected, ln.counted, ln.variance]
        for i, ln in c["sheet"]]


def day_sheets(c: dict) -> list[Sheet]:
    """The daily report as a workbook: shifts, the duty log, the matters handed over, the water bar."""
    by_id, people = c["by_id"], c["people"]

    def name(user_id) -> str:
        return people[user_id].display_name if user_id in people else ""

    log = [[_("时间"), _("岗位"), _("人员"), _("记录")]]
    log += [[when(e.at), by_id[e.attendance_id].post.name, by_id[e.attendance_id].user.display_name, e.text]
            for e, _photos in c["events"] if e.attendance_id in by_id]
    matters = [[_("提出时间"), _("提出人"), _("事项"), _("确认人"), _("确认时间"), _("关闭人"), _("关闭时间"), _("关闭说明")]]
    matters += [[when(m.raised_at), name(m.raised_by), m.text, name(m.acknowledged_by), when(m.acknowledged_at),
                 name(m.closed_by), when(m.closed_at), m.close_note] for m in c["matters"] + c["still_open"]]
    shifts, water = shift_rows(c), water_rows(c)
    return [Sheet.of(_("班次"), shifts), Sheet.of(_("值班记录"), log),
            Sheet.of(_("交接事项"), matters), Sheet.of(_("水吧"), water)]


def water_month_rows(c: dict) -> list[list]:
    """The water bar's month per item: used, restocked, days counted, summed shortfall."""
    return [[_("物品"), _("单位"), _("用量"), _("补货"), _("盘点天数"), _("差异合计(短缺为正)")]] + [
        [ln.item.name, ln.item.unit, ln.used, ln.restocked, ln.counted_days, ln.variance] for ln in c["lines"]]
