"""Units and owners of the front desk's registry, through app.frontdesk.importing (its columns and rules)."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.frontdesk import importing
from app.frontdesk.units import EDITORS
from app.imports import base
from app.imports.base import Column, Kind, Outcome, Plan

COLUMNS = (
    Column("building", "楼栋", _l("如 3 或 3栋;可与“单元”“房号”一起写,也可只用一列“房屋”写 3栋2单元1201。"), "3",
           aliases=importing.HEADERS["building"], width=8),
    Column("unit_no", "单元", _l("可空。"), "2", aliases=importing.HEADERS["unit_no"], width=8),
    Column("room", "房号", _l("如 1201。"), "1201", aliases=importing.HEADERS["room"], width=10),
    Column("label", "房屋", _l("可代替前三列,如 3栋2单元1201。"), "", aliases=importing.HEADERS["label"], width=16),
    Column("names", "业主", _l("姓名,多人用“、”隔开;同一房号也可写多行。"), "王先生、李女士",
           aliases=importing.HEADERS["names"], width=18),
    Column("phones", "电话", _l("与姓名一一对应,多个用“、”隔开。"), "13800138000、13900139000",
           aliases=importing.HEADERS["phones"], width=26),
    Column("relation", "关系", _l("业主、租户或家属;空时为业主。"), "业主", aliases=importing.HEADERS["relation"], width=8),
    Column("note", "备注", _l("可空,最多 200 字。"), "", aliases=importing.HEADERS["note"], width=20),
)


class Units(Kind):
    name, sheet, columns, roles = "units", "房屋", COLUMNS, EDITORS
    label = _l("房屋和业主")

    def plan(self, session, *, actor, project, table, options):
        plan = Plan(self.name)
        found = base.match_columns(table, self.columns, plan)
        if "room" not in found and "label" not in found:
            raise importing.ImportRefused(_("表头须至少含“房号”(或“房屋”)一列。"))
        reading = importing.Reading()
        for row, line in zip(table.rows, table.lines):
            one = importing.rows_from(found, [row], first_line=line)
            reading.rows += one.rows
            reading.errors += one.errors
        units = importing.preview(session, project_id=project.id, reading=reading)
        for line, message in units.errors:
            plan.add(line, base.REFUSED, "", _("第 %(line)d 行:%(message)s", line=line, message=message))
        for outcome, rows in ((base.CREATED, units.added), (base.UPDATED, units.changed)):
            for row in rows:
                names = "、".join(name for name, _phone in row.occupants)
                plan.add(row.line, outcome, " · ".join(filter(None, (row.parts.label, names))))
        plan.lines.sort(key=lambda line: line.line)
        plan.data = units
        return plan

    def apply(self, session, *, actor, project, plan):
        count = importing.apply(session, actor=actor, project_id=project.id, plan=plan.data)
        return Outcome(_("已导入 %(n)d 个房号。", n=count))


base.register(Units())
