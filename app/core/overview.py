"""The supervisor's home: what needs attention across their projects, then one row of today's figures per project.

A user who supervises no project keeps the home of cards by role (`app.core.home`); a supervisor's cards move to
each project's own page, and the projects where they hold only other roles keep their cards on the home.
"""
from datetime import datetime

from sqlmodel import Session

from app.core import attention, home, today

LEADS = {"supervisor", "admin"}
SHOWN = 60  # lines on the home; the rest are on each project's page (a list nobody can read to its end helps nobody)
# Projects in the today table: all of them up to this many; past it (an admin of 500 sites) those with a figure in
# alert, up to this many, and one line that counts the others (they are on the projects' list)
TODAY_SHOWN = 100


def supervised(session: Session, user) -> tuple[list, list, dict[int, set[str]]]:
    """(the projects the user supervises, the other projects, {project id: roles held})."""
    projects, roles = home.my_projects(session, user)
    return ([p for p in projects if roles[p.id] & LEADS], [p for p in projects if not roles[p.id] & LEADS], roles)


def home_context(session: Session, user, now: datetime) -> dict:
    """The context of templates/core/home.html."""
    leads, others, roles = supervised(session, user)
    context = {"cards": home.cards(session, user, others, {p.id: roles[p.id] for p in others}) if others else [],
               "supervises": bool(leads)}
    if leads:
        context.update(attention_context(session, leads, now), columns=today.columns(),
                       **today_context(today.rows(session, leads, now)))
    return context


def today_context(rows: list, limit: int | None = None) -> dict:
    """The today table's rows: all of them up to `limit` (TODAY_SHOWN), else the rows with a figure in alert (in
    their order, up to `limit`); with how many are left out and whether any of those has one in alert."""
    limit = TODAY_SHOWN if limit is None else limit
    if len(rows) <= limit:
        return {"today_rows": rows, "today_folded": 0, "today_folded_alert": False}
    alerting = [row for row in rows if any(cell.alert for cell in row.cells.values())]
    return {"today_rows": alerting[:limit], "today_folded": len(rows) - len(alerting[:limit]),
            "today_folded_alert": len(alerting) > limit}


def attention_context(session: Session, projects: list, now: datetime, *, project_id: int | None = None) -> dict:
    """The context of templates/core/_attention.html: the items nobody has acknowledged, with their projects."""
    shown = [p for p in projects if project_id is None or p.id == project_id]
    items, total = attention.pending_first(session, [p.id for p in shown], now, None if project_id is not None else SHOWN)
    return {"items": items, "more": total - len(items), "total": total, "now": now,
            "project_names": {p.id: p.name for p in projects}, "attention_project": project_id}
