"""Handovers as tables: the discrepancies (for the CSV and the workbook) and a month's handovers line by line."""
from datetime import datetime

from flask_babel import gettext as _
from sqlmodel import Session

from app.accounts.services import users_by_id
from app.handovers import board
from app.handovers.models import STATUS_LABELS
from app.handovers.workflow import STATE_LABELS
from app.projects.models import Project
from app.reports.csv_export import when
from app.reports.xlsx_export import Sheet


def _people(session: Session, rows) -> dict:
    return {i: u.display_name for i, u in users_by_id(session, {i for _l, h, _r in rows
                                                                for i in (h.outgoing_id, h.incoming_id)}).items()}


def _line_table(rows, people: dict) -> list[list]:
    labels = {k: str(v) for k, v in STATUS_LABELS.items()}
    table = [[_("交接时间"), _("样板间"), _("物品"), _("类别"), _("位置"), _("清单数量"), _("清点数量"),
              _("情况"), _("备注"), _("交班人"), _("接班人"), _("记录编号")]]
    for line, record, room_ in rows:
        table.append([when(record.counted_at), room_.name, line.name, line.category, line.location, line.expected,
                      line.found, labels[line.status], line.note, people.get(record.outgoing_id, ""),
                      people.get(record.incoming_id, ""), record.id])
    return table


def discrepancy_table(session: Session, project: Project) -> list[list]:
    """One row per line found otherwise than listed at a locked handover, the header first, oldest first."""
    rows = board.discrepancy_rows(session, project)
    return _line_table(rows, _people(session, rows))


def month_sheets(session: Session, project: Project, since: datetime, until: datetime) -> list[Sheet]:
    """The locked handovers counted in [since, until): one row each (who handed to whom, when each signed, how
    many discrepancies), then every line of every one of them."""
    rows = board.discrepancy_rows(session, project, since, until, every_line=True)
    people = _people(session, rows)
    handovers = {h.id: (h, room_) for _l, h, room_ in rows}.values()
    head = [_("记录编号"), _("样板间"), _("交接时间"), _("交班人"), _("交班签字"), _("接班人"), _("接班签字"),
            _("锁定时间"), _("状态"), _("差异项"), _("备注")]
    records = [[h.id, room_.name, when(h.counted_at), people.get(h.outgoing_id, ""), when(h.outgoing_signed_at),
                people.get(h.incoming_id, ""), when(h.incoming_signed_at), when(h.locked_at),
                str(STATE_LABELS[h.state]), h.discrepancies, h.note] for h, room_ in handovers]
    lines = _line_table(rows, people)
    return [Sheet(_("交接记录"), head, records), Sheet.of(_("交接明细"), lines)]
