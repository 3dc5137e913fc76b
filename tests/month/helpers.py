"""A small world of known rounds, tickets, complaints and inspections in March 2026 (Shanghai) and around it."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.inspections.models import Inspection, InspectionSheet
from app.patrols.models import Round
from app.repairs.models import Ticket
from tests.complaints.helpers import complaint

SHANGHAI = ZoneInfo("Asia/Shanghai")
H, D = timedelta(hours=1), timedelta(days=1)
NOW = datetime(2026, 4, 15, 12, tzinfo=SHANGHAI).astimezone(timezone.utc)  # the clock of the month tests


def at(day: str, hm: str = "12:00") -> datetime:
    """A Shanghai wall-clock time as the UTC instant the database stores."""
    return datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=SHANGHAI).astimezone(timezone.utc)


def settled_round(session: Session, route, slot: datetime, outcome: str | None) -> Round:
    round_ = Round(project_id=route.project_id, route_id=route.id, slot_start=slot, window_end=slot + H,
                   deadline=slot + H, closes_at=slot + 2 * H, stops=[], outcome=outcome)
    session.add(round_)
    return round_


def ticket(session: Session, project, created: datetime, status: str, *, finish=None, due=None, reached=None,
           satisfaction=None) -> Ticket:
    obj = Ticket(project_id=project.id, description="月报测试", category="水", status=status, reported_at=created,
                 created_at=created, finished_at=finish and created + finish, due_at=due and created + due,
                 callback_reached=reached, satisfaction=satisfaction)
    session.add(obj)
    return obj


def inspected(session: Session, project, version, score: float, when: datetime) -> None:
    """An effective inspection on the 10-point sheet."""
    row = Inspection(project_id=project.id, inspected_at=when, objection_deadline=when + 3 * D, status="effective")
    session.add(row)
    session.flush()
    session.add(InspectionSheet(inspection_id=row.id, project_id=project.id, template_id=version.template_id,
                                version_id=version.id, name="小检查表", base_score=10, original_score=score,
                                score=score, percentage=score * 10))


def march_world(session: Session, world, version) -> None:
    """P1 and P2 of org A in February and March 2026, with an item just outside on each side (figures in the test)."""
    p1, p2, q = world.p1, world.p2, world.q
    route1, route2, route_q = world.routes["p1"], world.routes["p2"], world.routes["q"]
    # Rounds of P1 in March: 2 walked in full (done, late) of the 4 settled; one still open does not count.
    for slot, outcome in (("2026-03-01T00:10", "done"), ("2026-03-15T08:00", "late"), ("2026-03-20T08:00", "missed"),
                          ("2026-03-31T23:50", "incomplete"), ("2026-03-25T08:00", None),
                          ("2026-02-28T23:30", "done"),  # February in Shanghai
                          ("2026-04-01T00:05", "missed")):  # April in Shanghai (still 31 March in UTC)
        settled_round(session, route1, at(*slot.split("T")), outcome)
    settled_round(session, route2, at("2026-03-10"), "done")
    settled_round(session, route_q, at("2026-03-10"), "missed")  # another company's
    # Tickets of P1 in March: 4 live (one cancelled apart), 3 completed, 2 on time, 2 reached, 1 satisfied.
    ticket(session, p1, at("2026-03-01", "00:05"), "closed", finish=5 * H, due=7 * D, reached=True, satisfaction=5)
    ticket(session, p1, at("2026-03-02"), "closed", finish=30 * H, due=24 * H, reached=True, satisfaction=2)
    ticket(session, p1, at("2026-03-03"), "reported", due=7 * D)
    ticket(session, p1, at("2026-03-04"), "cancelled", due=7 * D)
    ticket(session, p1, at("2026-03-31", "23:50"), "awaiting_callback", finish=2 * H, due=7 * D)
    ticket(session, p1, at("2026-02-10"), "closed", finish=2 * H, due=7 * D, reached=True, satisfaction=4)
    ticket(session, p1, at("2026-04-01", "00:05"), "reported", due=7 * D)
    ticket(session, q, at("2026-03-10"), "reported", due=7 * D)
    session.commit()
    # Complaints of P1 received in March: 3 due (replied, or past the handling deadline by NOW), 1 on time.
    complaint(session, p1, status="replied", received_at=at("2026-03-05"))  # replied after 1 h: on time
    complaint(session, p1, status="replied", received_at=at("2026-03-06"), replied_at=at("2026-03-06") + 4 * D)
    complaint(session, p1, received_at=at("2026-03-07"))  # not replied, its 3 days long past
    complaint(session, p1, received_at=at("2026-03-31", "23:00"), resolve_due_at=NOW + D)  # not due yet
    complaint(session, p1, status="replied", received_at=at("2026-02-27", "23:30"))  # still February in Shanghai
    # Inspections (the ranking's periods: the default close day 30): P1 70 % in February, 80 % in March, P2 90 %.
    inspected(session, p1, version, 7, at("2026-02-12"))
    inspected(session, p1, version, 8, at("2026-03-12"))
    inspected(session, p2, version, 9, at("2026-03-13"))
    session.commit()
