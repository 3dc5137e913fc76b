"""A month of one register as rows (the first the header), for the CSV export and any other sheet format: the
project's posts all together, times on the post's wall clock, ID numbers and phones masked as on the pages."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlmodel import Session

from app.accounts.services import users_by_id
from app.registers.services import masked, month_stmt
from app.repairs.figures import month_bounds
from app.reports.csv_export import when
from app.shifts import services as shifts


def _columns(register: str) -> list[tuple[str, object]]:
    """(header, value of an entry) for each column; `c` resolves names and times."""
    if register == "visitors":
        return [(_("岗位"), lambda e, c: c.post(e)), (_("来访人"), lambda e, c: e.visitor_name),
                (_("证件号"), lambda e, c: masked(e.id_number)), (_("联系电话"), lambda e, c: masked(e.phone)),
                (_("被访人或房号"), lambda e, c: e.visiting), (_("来访事由"), lambda e, c: e.reason),
                (_("车牌号"), lambda e, c: e.plate), (_("进入时间"), lambda e, c: c.time(e.in_at)),
                (_("离开时间"), lambda e, c: c.time(e.out_at)), (_("登记人"), lambda e, c: c.name(e.recorded_by))]
    if register == "lost":
        return [(_("岗位"), lambda e, c: c.post(e)), (_("拾获时间"), lambda e, c: c.time(e.found_at)),
                (_("拾获地点"), lambda e, c: e.found_place),
                (_("拾获人"), lambda e, c: e.found_by or c.name(e.recorded_by)),
                (_("物品描述"), lambda e, c: e.description), (_("存放处"), lambda e, c: e.kept_where),
                (_("去向"), lambda e, c: (_("上交派出所") if e.returned_to == "police" else _("失主领取"))
                 if e.returned_at else ""), (_("派出所"), lambda e, c: e.police_station),
                (_("归还时间"), lambda e, c: c.time(e.returned_at)), (_("领取人"), lambda e, c: e.receiver_name),
                (_("领取人电话"), lambda e, c: masked(e.receiver_phone)),
                (_("经手人"), lambda e, c: c.name(e.returned_by)), (_("登记人"), lambda e, c: c.name(e.recorded_by))]
    if register == "gifts":
        return [(_("岗位"), lambda e, c: c.post(e)), (_("收到时间"), lambda e, c: c.time(e.received_at)),
                (_("赠送人"), lambda e, c: e.giver), (_("礼品内容"), lambda e, c: e.item),
                (_("估价(元)"), lambda e, c: "" if e.value is None else e.value),
                (_("上缴给"), lambda e, c: e.handed_to), (_("备注"), lambda e, c: e.note),
                (_("登记人"), lambda e, c: c.name(e.recorded_by))]
    return [(_("岗位"), lambda e, c: c.post(e)), (_("钥匙"), lambda e, c: e.key_name),
            (_("借用人"), lambda e, c: e.borrower), (_("联系电话"), lambda e, c: masked(e.borrower_phone)),
            (_("借出时间"), lambda e, c: c.time(e.lent_at)), (_("应还时间"), lambda e, c: c.time(e.due_at)),
            (_("归还时间"), lambda e, c: c.time(e.returned_at)), (_("借出经手人"), lambda e, c: c.name(e.lent_by)),
            (_("收回经手人"), lambda e, c: c.name(e.returned_by)), (_("备注"), lambda e, c: e.note)]


class _Names:
    def __init__(self, session: Session, entries: list, tz: ZoneInfo):
        self.posts = shifts.posts_by_id(session, {e.post_id for e in entries})
        people = {getattr(e, f, None) for e in entries for f in ("recorded_by", "returned_by", "lent_by")}
        self.users, self.tz = users_by_id(session, people), tz

    def post(self, entry) -> str:
        return self.posts[entry.post_id].name

    def name(self, user_id) -> str:
        return self.users[user_id].display_name if user_id in self.users else ""

    def time(self, moment: datetime | None):
        return when(moment, tz=self.tz)  # "2026-03-01 08:00" in the CSV, a date-time in the workbook


def month_rows(session: Session, *, register: str, project_id: int, year: int, month: int, tz: ZoneInfo) -> list[list]:
    """The register's entries of the local month, oldest first, with their header row."""
    start, end = month_bounds(year, month, tz.key)
    entries = list(reversed(session.exec(month_stmt(register, start=start, end=end, project_id=project_id)).all()))
    columns, names = _columns(register), _Names(session, entries, tz)
    return [[header for header, _value in columns]] + [[value(e, names) for _h, value in columns] for e in entries]
