"""The supervisor's needs-attention list: each source's line appears when due and goes when handled or
acknowledged (a frozen `now` passed in), comes back when it gets worse, most urgent first, never across projects."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from app.core import attention
from app.core.audit import AuditLog
from app.core.db import get_session
from app.handovers.models import HandoverLine, RoomCheck
from app.patrols.models import Round
from tests import factories
from tests.complaints.helpers import complaint
from tests.html import soup

TZ = ZoneInfo("Asia/Shanghai")


def lines(app, project_ids, now) -> dict[str, attention.Item]:
    """The pending items at `now`, by key (sources build links: a request context, as in a page)."""
    with app.test_request_context():
        return {item.key: item for item in attention.pending(get_session(), list(project_ids), now)}


def ack(app, world, item: attention.Item, now, who="supervisor"):
    with app.test_request_context():
        db = get_session()
        attention.acknowledge(db, actor=world.users[who], project_id=item.project_id, key=item.key, level=item.level,
                              now=now)
        db.commit()


def today_at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(datetime.now(TZ).date(), time(hour, minute), tzinfo=TZ)


def test_a_missed_round_appears_after_its_deadline_goes_when_acknowledged_and_returns_with_the_next(app, world, db):
    round_ = world.rounds["p1"]
    key = f"patrols.rounds:{round_.route_id}"
    assert key not in lines(app, [world.p1.id], round_.deadline - timedelta(minutes=1))
    after = round_.deadline + timedelta(minutes=1)
    item = lines(app, [world.p1.id], after)[key]
    assert item.title == "漏巡 1 轮" and item.place == world.routes["p1"].name and item.since == round_.deadline
    assert item.urgency == attention.HIGH and f"/projects/{world.p1.id}/patrols" in item.url
    ack(app, world, item, after)
    assert key not in lines(app, [world.p1.id], after)
    later = Round(project_id=round_.project_id, route_id=round_.route_id, schedule_id=round_.schedule_id,
                  slot_start=round_.slot_start + timedelta(hours=2), window_end=round_.window_end + timedelta(hours=2),
                  deadline=round_.deadline + timedelta(hours=2), closes_at=round_.closes_at + timedelta(hours=2),
                  stops=round_.stops)
    db.add(later)
    db.commit()
    worse = lines(app, [world.p1.id], later.deadline + timedelta(minutes=1))[key]  # worse: back
    assert worse.title == "漏巡 2 轮"
    assert key not in lines(app, [world.p1.id], round_.deadline + timedelta(hours=25, minutes=1) + timedelta(hours=2))


def _settled(db, route_, round_, hours_ago: int, outcome: str, now, guard_ids=()):
    slot = now - timedelta(hours=hours_ago)
    db.add(Round(project_id=route_.project_id, route_id=route_.id, schedule_id=round_.schedule_id, slot_start=slot,
                 window_end=slot + timedelta(hours=1), deadline=slot + timedelta(hours=1, minutes=15),
                 closes_at=slot + timedelta(hours=2), stops=round_.stops, outcome=outcome, guard_ids=list(guard_ids)))


def test_rounds_the_clock_settled_are_one_line_per_route_and_one_per_project_past_three_routes(app, world, db):
    now = world.rounds["p1"].slot_start  # the world's own rounds are not due yet
    guard = world.users["guard"]
    _settled(db, world.routes["p1"], world.rounds["p1"], 5, "missed", now, [guard.id])
    _settled(db, world.routes["p1"], world.rounds["p1"], 3, "incomplete", now, [guard.id])
    _settled(db, world.routes["p1"], world.rounds["p1"], 7, "late", now)
    extra = [factories.route(db, world.checkpoints["p2"], f"第{n}条路线")[0] for n in range(4)]
    for n, route_ in enumerate(extra):
        _settled(db, route_, world.rounds["p2"], 4 + n, "missed", now)
    db.commit()
    found = lines(app, [world.p1.id, world.p2.id], now)
    alone = found[f"patrols.rounds:{world.routes['p1'].id}"]
    slots = [(now - timedelta(hours=h)).astimezone(TZ).strftime("%H:%M") for h in (5, 3)]
    assert alone.title == "漏巡 2 轮" and alone.detail == f"{'、'.join(slots)} · 迟到 1 轮"
    assert alone.holder == guard.display_name and alone.since == now - timedelta(hours=5) + timedelta(minutes=75)
    folded = found[f"patrols.rounds:project:{world.p2.id}"]
    assert folded.title == "漏巡 4 轮" and folded.detail == "第0条路线、第1条路线、第2条路线、第3条路线"
    assert not {f"patrols.rounds:{r.id}" for r in extra} & found.keys()


def test_a_ticket_appears_past_its_dispatch_target_and_goes_when_dispatched(app, world, db):
    ticket = world.tickets["p1"]
    key = f"repairs.overdue:{ticket.id}"
    assert key not in lines(app, [world.p1.id], ticket.created_at + timedelta(minutes=2))
    item = lines(app, [world.p1.id], ticket.created_at + timedelta(minutes=4))[key]
    assert item.action == "派单" and item.url.endswith(f"/tickets/{ticket.id}#dispatch") and item.level == "dispatch"
    ticket.status, ticket.assignee_id = "dispatched", world.users["engineer"].id
    ticket.due_at = ticket.created_at + timedelta(days=7)
    db.add(ticket)
    db.commit()
    assert key not in lines(app, [world.p1.id], ticket.created_at + timedelta(minutes=4))
    late = lines(app, [world.p1.id], ticket.created_at + timedelta(days=8))[key]  # past completion: another level
    assert late.level == "completion" and late.holder == world.users["engineer"].display_name


def test_past_three_overdue_tickets_a_project_has_one_line_that_counts_them_by_kind(app, world, db):
    from app.repairs.models import RepairSettings

    db.add(RepairSettings(project_id=world.p2.id, dispatch_minutes=30))  # each project's own target counts
    first = world.tickets["p2"]
    made = [factories.ticket(db, world.p2, world.users["outsider"], f"漏水 {n}")[0] for n in range(4)]
    for t in made[:2]:
        t.status, t.due_at = "dispatched", first.created_at + timedelta(hours=1)
        db.add(t)
    db.commit()
    at = first.created_at + timedelta(minutes=20)  # past the default 3 minutes, not p2's 30
    assert not [k for k in lines(app, [world.p2.id], at) if k.startswith("repairs.")]
    found = lines(app, [world.p1.id, world.p2.id], first.created_at + timedelta(hours=2))
    folded = found[f"repairs.overdue:project:{world.p2.id}"]
    assert folded.title == "超时工单 5 张" and folded.detail == "3 张超时未派单 · 2 张超时未完成"
    assert folded.since == first.created_at + timedelta(minutes=30)
    assert not {f"repairs.overdue:{t.id}" for t in made} & found.keys()
    assert f"repairs.overdue:{world.tickets['p1'].id}" in found  # P1's one ticket: its own line


def test_a_complaint_shows_on_its_deadline_day_and_comes_back_once_past_it(app, world, db):
    received = today_at(9)
    made = complaint(db, world.p1, received_at=received, reply_due_at=today_at(15))
    key = f"complaints.deadline:{made.id}"
    near = lines(app, [world.p1.id], today_at(10))[key]
    assert near.title == f"投诉 {made.number} 今日到期" and near.level.startswith("near")
    ack(app, world, near, today_at(10))
    assert key not in lines(app, [world.p1.id], today_at(11))
    past = lines(app, [world.p1.id], today_at(16))[key]
    assert past.title == f"投诉 {made.number} 已超时" and past.urgency == attention.HIGH
    made.status, made.closed_at = "closed", today_at(16)
    db.add(made)
    db.commit()
    assert key not in lines(app, [world.p1.id], today_at(17))


def test_past_three_complaints_due_a_project_has_one_line_that_counts_them_and_the_late_ones(app, world, db):
    """The folded line is counted in the database: how many are due today or late, how many of them are late
    (its level), the earliest deadline (since) and the first four numbers; a project with three keeps its lines."""
    received = today_at(9)
    late = [complaint(db, world.p2, received_at=received - timedelta(days=2), reply_due_at=today_at(8) - timedelta(
        hours=n)) for n in range(2)]  # past their first reply
    near = [complaint(db, world.p2, received_at=received, reply_due_at=today_at(20 + n)) for n in range(3)]
    replied = complaint(db, world.p2, status="replied", received_at=received - timedelta(days=1),
                        callback_due_at=today_at(21))  # its callback is due today
    complaint(db, world.p2, received_at=received, reply_due_at=today_at(9) + timedelta(days=2),
              resolve_due_at=today_at(9) + timedelta(days=3))  # nothing due today: not counted
    complaint(db, world.p2, status="closed", received_at=received - timedelta(days=5))  # closed: not counted
    alone = [complaint(db, world.p1, received_at=received, reply_due_at=today_at(20)) for _n in range(3)]
    found = lines(app, [world.p1.id, world.p2.id], today_at(10))
    folded = found[f"complaints.deadline:project:{world.p2.id}"]
    made = [*late, *near, replied]
    assert folded.title == "6 条投诉今日到期或已超时" and folded.level == "6:2"
    assert folded.detail == "、".join(c.number for c in sorted(made, key=lambda c: c.id)[:4]) + "…"
    assert folded.since == today_at(8) - timedelta(hours=1) and folded.urgency == attention.HIGH
    assert not {f"complaints.deadline:{c.id}" for c in made} & found.keys()
    assert {f"complaints.deadline:{c.id}" for c in alone} <= found.keys()  # three: a line each
    assert f"complaints.deadline:project:{world.p1.id}" not in found


@pytest.mark.usefixtures("handover_world")
def test_a_handover_with_a_missing_item_is_listed_until_a_count_finds_it(app, world, db):
    handover = world.handovers["p1"]
    key = f"handovers.discrepancy:{world.rooms['p1'].id}"
    now = handover.counted_at + timedelta(hours=1)
    assert key not in lines(app, [world.p1.id], now)
    line = db.exec(select(HandoverLine).where(HandoverLine.handover_id == handover.id)).first()
    line.status, line.found, handover.discrepancies = "missing", 0, 1
    db.add_all([line, handover])
    db.commit()
    item = lines(app, [world.p1.id], now)[key]
    assert item.urgency == attention.HIGH and f"{line.name} 缺失" in item.detail and item.place == world.rooms["p1"].name
    line.status, line.found, handover.discrepancies = "present", line.expected, 0  # found after all (amended)
    db.add_all([line, handover])
    db.commit()
    assert key not in lines(app, [world.p1.id], now)


@pytest.mark.usefixtures("handover_world")
def test_an_opening_check_not_done_by_the_first_shift_is_listed_until_done(app, world, db):
    room = world.rooms["p1"]  # the world's shift pattern runs 08:00-17:00
    day = datetime.now(TZ).date().isoformat()
    key = f"handovers.unchecked:{room.id}:opening:{day}"
    room.created_at = today_at(0)
    db.add(room)
    db.commit()
    assert key not in lines(app, [world.p1.id], today_at(8, 10))
    assert lines(app, [world.p1.id], today_at(8, 20))[key].since == today_at(8)
    db.add(RoomCheck(project_id=world.p1.id, room_id=room.id, kind="opening", done_at=today_at(8, 30)))
    db.commit()
    assert key not in lines(app, [world.p1.id], today_at(8, 40))


def test_a_rectification_item_past_its_due_date_is_listed_until_rectified(app, world, db):
    item = world.rectifications["p1"]
    key = f"inspections.rectification:{item.id}"
    assert key not in lines(app, [world.p1.id], item.due_at - timedelta(hours=1))
    assert lines(app, [world.p1.id], item.due_at + timedelta(hours=1))[key].action == "提交整改"
    item.status = "closed"
    db.add(item)
    db.commit()
    assert key not in lines(app, [world.p1.id], item.due_at + timedelta(hours=1))


def test_an_inspection_is_listed_on_the_day_its_objection_window_closes(app, world, db):
    inspection = world.inspections["p1"]
    inspection.objection_deadline = today_at(18)
    db.add(inspection)
    db.commit()
    key = f"inspections.objection-window:{inspection.id}"
    assert key not in lines(app, [world.p1.id], today_at(18) - timedelta(days=1))
    assert lines(app, [world.p1.id], today_at(10))[key].action == "提出异议"
    assert key not in lines(app, [world.p1.id], today_at(19))  # closed


def test_a_restock_request_waits_on_the_list_until_decided(app, world, db):
    restock = world.shifts["p1"].restock
    key = f"shifts.restock:{restock.id}"
    now = restock.requested_at + timedelta(minutes=5)
    assert lines(app, [world.p1.id], now)[key].url.endswith(f"#restock-{restock.id}")
    restock.status = "approved"
    db.add(restock)
    db.commit()
    assert key not in lines(app, [world.p1.id], now)


def test_the_most_urgent_come_first_then_the_oldest(app, world, db):
    round_, item = world.rounds["p1"], world.rectifications["p1"]
    now = round_.deadline + timedelta(minutes=1)  # the ticket waits for dispatch since before the round's deadline
    item.due_at = now - timedelta(days=1)  # overdue, older than both
    db.add(item)
    db.commit()
    items = list(lines(app, [world.p1.id], now).values())
    assert [i.key.split(":")[0] for i in items] == ["repairs.overdue", "patrols.rounds", "inspections.rectification",
                                                     "shifts.restock"]
    assert [(i.urgency, i.since) for i in items] == sorted((i.urgency, i.since) for i in items)


def test_an_acknowledgement_is_audited_and_twice_is_once(app, world, db):
    ticket = world.tickets["p1"]
    now = ticket.created_at + timedelta(minutes=10)
    item = lines(app, [world.p1.id], now)[f"repairs.overdue:{ticket.id}"]
    ack(app, world, item, now)
    ack(app, world, item, now)
    [entry] = db.exec(select(AuditLog).where(AuditLog.action == "attention.acknowledge")).all()
    assert entry.actor_id == world.users["supervisor"].id and entry.after["key"] == item.key
    assert entry.project_id == world.p1.id


def test_a_member_of_one_project_never_sees_another_projects_lines(app, world, db, login_as):
    for key in ("p1", "p2"):  # both overdue for dispatch
        world.tickets[key].created_at -= timedelta(hours=1)
        db.add(world.tickets[key])
    db.commit()
    later = world.tickets["p1"].created_at + timedelta(minutes=10)
    assert all(i.project_id == world.p2.id for i in lines(app, [world.p2.id], later).values())
    page = soup(login_as("outsider").get("/"))  # P2's supervisor
    shown = page.select_one("#attention").get_text(" ", strip=True)
    assert world.tickets["p2"].number in shown and world.tickets["p1"].number not in shown
    assert world.p1.name not in page.get_text()


# -- the pages -------------------------------------------------------------------------------------------------

def test_the_supervisors_home_lists_the_lines_and_one_tap_acknowledges_one(app, world, db, login_as):
    ticket = world.tickets["p1"]
    ticket.created_at = ticket.created_at - timedelta(hours=1)
    db.add(ticket)
    db.commit()
    client = login_as("supervisor")
    home = soup(client.get("/"))
    line = next(li for li in home.select("#attention li.attention-item") if ticket.number in li.get_text())
    assert line.select_one("a.attention-main")["href"].endswith(f"/tickets/{ticket.id}#dispatch")
    assert world.p1.name in line.get_text() and home.select_one(".today-table tbody th a").get_text() == world.p1.name
    form = line.select_one("form")
    fields = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    answer = client.post(form["action"], data=fields, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    fragment = soup(answer)
    assert fragment.select_one("#attention") and ticket.number not in fragment.get_text()
    assert ticket.number not in soup(client.get("/")).select_one("#attention").get_text()


def test_acknowledging_without_javascript_goes_back_home(app, world, login_as):
    client = login_as("supervisor")
    answer = client.post_form(f"/projects/{world.p1.id}/attention/ack", {"key": "none:1", "level": ""})
    assert answer.status_code == 302 and answer.location.endswith("/")


def test_the_list_is_polled_as_a_fragment(app, world, login_as):
    client = login_as("supervisor")
    fragment = client.get("/attention", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and soup(fragment).select_one("#attention")["hx-trigger"].startswith("every 30s")
    assert client.get("/attention").status_code == 302  # a plain visit goes to the home


def test_a_guard_keeps_the_home_of_cards(app, world, login_as):
    home = soup(login_as("guard").get("/"))
    assert home.select_one("#attention") is None and home.select("section.project-card")


def test_a_projects_own_page_carries_its_home_card(app, world, login_as):
    page = soup(login_as("supervisor").get(f"/projects/{world.p1.id}/today"))
    assert {a.get_text(strip=True) for a in page.select(".project-card li a")} >= {"报修工单", "巡更看板", "案场值班"}
    assert page.select_one("#attention")
    assert login_as("outsider").get(f"/projects/{world.p1.id}/today").status_code == 404


def _late_tickets(db, world, project, reported: int, dispatched: int):
    """Tickets of `project`: `reported` not dispatched and `dispatched` past their completion target, an hour ago."""
    first = world.tickets["p1" if project.id == world.p1.id else "p2"]
    made = [factories.ticket(db, project, world.users["outsider"], f"漏水 {n}")[0] for n in range(reported + dispatched)]
    for t in made[:dispatched]:
        t.status, t.due_at = "dispatched", first.created_at + timedelta(hours=1)
        db.add(t)
    db.commit()
    return first, made


def test_a_busy_sites_ticket_counts_stop_past_the_cap_and_say_so(app, world, db, monkeypatch):
    """Counted to CAP + 1 a project at most (the index range is not read to its end): "2+" past a cap of 2, in the
    folded line (with its first due read from the index all the same) and in the today table."""
    from app.repairs import services as repairs

    monkeypatch.setattr(repairs, "CAP", 2)
    first, _made = _late_tickets(db, world, world.p2, reported=3, dispatched=1)  # and P2's own: 4 reported
    at = first.created_at + timedelta(hours=2)
    counts = repairs.overdue_counts(db, [world.p1.id, world.p2.id], at)
    assert (counts[world.p2.id].dispatch, counts[world.p2.id].completion) == (3, 1)  # 3: "more than 2"
    assert (counts[world.p1.id].dispatch, counts[world.p1.id].completion) == (1, 0)  # exact below the cap
    folded = lines(app, [world.p1.id, world.p2.id], at)[f"repairs.overdue:project:{world.p2.id}"]
    assert folded.title == "超时工单 2+ 张" and folded.detail == "2+ 张超时未派单 · 1 张超时未完成"
    assert folded.since == first.created_at + timedelta(minutes=3)  # the first reported one's dispatch target
    assert repairs.capped_counts(db, [world.p1.id, world.p2.id], ("reported", "dispatched")) == {world.p1.id: 1,
                                                                                                world.p2.id: 3}
    with app.test_request_context():
        from app.core import today

        row = {r.project.id: r for r in today.rows(db, [world.p1, world.p2], at)}
    assert row[world.p2.id].cells["tickets"].text == "2+/2+" and row[world.p1.id].cells["tickets"].text == "1/1"
    assert row[world.p2.id].cells["tickets"].alert


def test_past_fold_projects_each_project_has_one_line_per_kind_which_is_acknowledged_from_the_home(
        app, world, db, login_as, monkeypatch):
    """An admin of many sites: past FOLD_PROJECTS projects a project's one overdue ticket is a line that counts it
    (its tickets are not read one by one); its own page keeps the ticket's line; the home's "知道了" records it."""
    monkeypatch.setattr(attention, "FOLD_PROJECTS", 1)
    ticket = world.tickets["p1"]
    ticket.created_at -= timedelta(minutes=10)  # past its dispatch target now, as the home sees it
    db.add(ticket)
    db.commit()
    at = ticket.created_at + timedelta(minutes=10)
    both = lines(app, [world.p1.id, world.p2.id], at)
    line = both[f"repairs.overdue:project:{world.p1.id}"]
    assert line.title == "超时工单 1 张" and line.detail == "1 张超时未派单"
    assert f"repairs.overdue:{ticket.id}" not in both
    assert f"repairs.overdue:{ticket.id}" in lines(app, [world.p1.id], at)  # its own page: the ticket itself
    client = login_as("admin")
    home = soup(client.get("/"))
    assert home.select_one(f'li[data-key="repairs.overdue:project:{world.p1.id}"]') is not None
    answer = client.post_form(f"/projects/{world.p1.id}/attention/ack", {"key": line.key, "level": line.level})
    assert answer.status_code == 302
    assert db.exec(select(attention.Acknowledgement).where(attention.Acknowledgement.key == line.key)).one()
    assert not soup(client.get("/")).select_one(f'li[data-key="repairs.overdue:project:{world.p1.id}"]')


def test_only_the_lines_shown_are_made(app, world, db, monkeypatch):
    """A source's `Later` lines are sorted and filtered as they are; only the first `limit` are made."""
    made = []
    now = datetime.now(TZ)

    def make(n):
        made.append(n)
        return attention.Item(key=f"test:{n}", project_id=world.p1.id, title=str(n), since=now, url="/")

    def source(session, project_ids, now_):
        return [attention.later(f"test:{n}", world.p1.id, now - timedelta(minutes=n), attention.NORMAL, "",
                                lambda n=n: make(n)) for n in range(5)]

    monkeypatch.setattr(attention, "_sources", [source])
    items, total = attention.pending_first(db, [world.p1.id], now, 2)
    assert total == 5 and [i.key for i in items] == ["test:4", "test:3"] and made == [4, 3]  # the oldest first
    assert [i.title for i in attention.pending(db, [world.p1.id], now)] == ["4", "3", "2", "1", "0"]
