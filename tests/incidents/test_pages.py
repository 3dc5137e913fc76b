"""The incident pages: the form (from home, a round, a post), the plain post, the incident with its actions, the
ticket and complaint it opens (linked both ways), the report PDF and the needs-attention source."""
import io
import re

from pypdf import PdfReader
from sqlmodel import Session, select

from app.complaints.models import Complaint
from app.core import attention
from app.core.db import utcnow
from app.incidents.models import FollowUp, Incident
from app.repairs.models import Ticket
from tests.factories import engine_of
from tests.html import alert, soup, text
from tests.incidents.helpers import form, report


def _session(app):
    return Session(engine_of(app), expire_on_commit=False)


def _client_id(page) -> str:
    return soup(page).select_one("#incident-form input[name=client_id]")["value"]


def test_everyone_on_duty_gets_the_form_the_inspector_and_outsiders_do_not(login_as, world):
    for who in ("guard", "attendant", "engineer", "frontdesk", "supervisor", "admin"):
        page = login_as(who).get(f"/projects/{world.p1.id}/incidents/new")
        assert page.status_code == 200, who
        assert soup(page).select_one("form[data-outbox-kind=incident_report]") is not None
    assert login_as("inspector").get(f"/projects/{world.p1.id}/incidents/new").status_code == 403
    assert login_as("outsider").get(f"/projects/{world.p1.id}/incidents/new").status_code == 404


def test_the_form_opened_from_a_checkpoint_of_a_round_has_it_chosen(login_as, world):
    url = (f"/projects/{world.p1.id}/incidents/new?place=checkpoint-{world.checkpoints['p1'].id}"
           f"&round_id={world.rounds['p1'].id}&source=round")
    page = soup(login_as("guard").get(url))
    assert page.select_one("#place option[selected]")["value"] == f"checkpoint-{world.checkpoints['p1'].id}"
    assert page.select_one("input[name=round_id]")["value"] == str(world.rounds["p1"].id)
    assert page.select_one("script.incident-rules") is not None


def test_the_round_pages_link_to_the_form_with_the_round_and_the_checkpoint(login_as, world):
    guard = login_as("guard")
    walk = soup(guard.get(f"/rounds/{world.rounds['p1'].id}/walk"))
    stop = soup(guard.get(f"/rounds/{world.rounds['p1'].id}/stops/1"))
    assert walk.select_one(f"a[href*='/incidents/new?round_id={world.rounds['p1'].id}']") is not None
    link = stop.select_one("a[href*='/incidents/new']")["href"]
    assert f"place=checkpoint-{world.checkpoints['p1'].id}" in link and "source=round" in link


def test_a_plain_post_reports_once_and_lands_on_the_incident(app, login_as, world):
    guard = login_as("guard")
    page = guard.get(f"/projects/{world.p1.id}/incidents/new")
    data = {**form(world, severity="serious"), "client_id": _client_id(page)}
    first = guard.post_form(f"/projects/{world.p1.id}/incidents/new", data)
    again = guard.post_form(f"/projects/{world.p1.id}/incidents/new", data)
    with _session(app) as db:
        [incident] = db.exec(select(Incident)).all()
    assert first.status_code == 302 and first.location.endswith(f"/incidents/{incident.id}")
    assert again.location == first.location
    shown = guard.get(first.location)
    assert incident.number in text(shown, "h1")[0] and "可疑人员" in " ".join(text(shown, ".facts dd"))


def test_a_plain_post_without_a_place_is_refused_and_keeps_what_was_typed(app, login_as, world):
    guard = login_as("guard")
    response = guard.post_form(f"/projects/{world.p1.id}/incidents/new",
                               form(world, place="", location="", description="有人翻墙"))
    assert response.status_code == 422
    assert alert(response) == "请选择事发地点(区域或巡更点),或填写具体位置。"
    assert soup(response).select_one("#description").get_text() == "有人翻墙"
    with _session(app) as db:
        assert db.exec(select(Incident)).all() == []


def test_the_incident_page_offers_each_role_its_actions(app, login_as, world):
    incident = _reported(app, world)
    url = f"/incidents/{incident.id}"
    guard, supervisor = soup(login_as("guard").get(url)), soup(login_as("supervisor").get(url))
    assert guard.select_one("form[data-outbox-kind=incident_followup]") is not None
    assert guard.select_one("#close-text") is None and guard.select_one("#complainant_phone") is None
    assert supervisor.select_one("#close-text") is not None and supervisor.select_one("#complainant_phone") is not None
    assert login_as("inspector").get(url).status_code == 403
    assert login_as("outsider").get(url).status_code == 404


def _reported(app, world, **changes) -> Incident:
    from app.core.db import get_session

    with app.app_context():
        return report(get_session(), world, **changes)


def test_follow_up_then_close_through_the_page(app, login_as, world):
    incident = _reported(app, world)
    act = f"/incidents/{incident.id}/act"
    guard, supervisor = login_as("guard"), login_as("supervisor")
    assert guard.post_form(act, {"action": "follow_up", "text": "人员已离开"}).status_code == 302
    refused = guard.post_form(act, {"action": "close", "text": "好了"})
    assert refused.status_code == 403 and "您的角色不能关闭" in alert(refused)
    empty = supervisor.post_form(act, {"action": "close", "text": ""})
    assert empty.status_code == 422 and alert(empty) == "请填写处理结果再关闭。"
    assert supervisor.post_form(act, {"action": "close", "text": "已核实,无损失"}).status_code == 302
    with _session(app) as db:
        assert db.get(Incident, incident.id).status == "closed"
        steps = db.exec(select(FollowUp.kind, FollowUp.text).where(FollowUp.incident_id == incident.id)
                        .order_by(FollowUp.id)).all()
    assert steps == [("note", "人员已离开"), ("close", "已核实,无损失")]
    page = supervisor.get(f"/incidents/{incident.id}")
    assert text(page, ".incident-steps li strong") == ["上报", "跟进", "关闭"]


def test_a_ticket_opened_from_an_incident_links_both_ways_once(app, login_as, world):
    incident = _reported(app, world, kind="flooding", severity="critical", description="泵房门口积水")
    guard = login_as("guard")
    first = guard.post_form(f"/incidents/{incident.id}/ticket")
    with _session(app) as db:
        ticket = db.exec(select(Ticket).where(Ticket.source == "incident")).one()
        assert db.get(Incident, incident.id).ticket_id == ticket.id
    assert first.location.endswith(f"/tickets/{ticket.id}")
    assert (ticket.area_id, ticket.checkpoint_id, ticket.urgent) == (world.areas["p1"].id, world.checkpoints["p1"].id, True)
    assert "泵房门口积水" in ticket.description and incident.number in ticket.description
    back = soup(guard.get(f"/tickets/{ticket.id}")).select_one(f"a[href='/incidents/{incident.id}']")
    assert back is not None and back.get_text() == incident.number
    assert guard.post_form(f"/incidents/{incident.id}/ticket").status_code == 409
    inspector = login_as("inspector")  # sees the ticket, may not open incidents: the number without a link
    shown = soup(inspector.get(f"/tickets/{ticket.id}"))
    assert incident.number in shown.get_text() and shown.select_one(f"a[href='/incidents/{incident.id}']") is None
    assert inspector.get(f"/incidents/{incident.id}").status_code == 403


def test_a_complaint_opened_from_an_incident_needs_the_phone_and_links_both_ways(app, login_as, world):
    incident = _reported(app, world, kind="dispute", description="业主与保安在门岗争吵")
    supervisor = login_as("supervisor")
    refused = supervisor.post_form(f"/incidents/{incident.id}/complaint", {"complainant_name": "王先生"})
    assert refused.status_code == 422 and "联系电话" in alert(refused)
    done = supervisor.post_form(f"/incidents/{incident.id}/complaint",
                                {"complainant_name": "王先生", "complainant_phone": "13800138000"})
    with _session(app) as db:
        complaint = db.exec(select(Complaint)).one()
        assert db.get(Incident, incident.id).complaint_id == complaint.id
    assert done.location.endswith(f"/complaints/{complaint.id}")
    assert complaint.description.endswith("业主与保安在门岗争吵") and complaint.channel == "referral"
    back = soup(supervisor.get(f"/complaints/{complaint.id}")).select_one(f"a[href='/incidents/{incident.id}']")
    assert back is not None and back.get_text() == incident.number
    assert login_as("guard").post_form(f"/incidents/{incident.id}/complaint",
                                       {"complainant_phone": "13800138000"}).status_code == 403


def test_the_report_pdf_says_what_where_who_and_every_follow_up(app, login_as, world):
    incident = _reported(app, world, severity="serious")
    supervisor = login_as("supervisor")
    supervisor.post_form(f"/incidents/{incident.id}/act", {"action": "follow_up", "text": "调取监控,已存档"})
    response = supervisor.get(f"/incidents/{incident.id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    content = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages))
    for words in ("特殊事件报告", incident.number, "可疑人员", "严重", "车场东北角", "一名男子在车场徘徊",
                  "盘查并陪同离开", "调取监控,已存档", "主管签字", world.checkpoints["p1"].name):
        assert re.sub(r"\s+", "", words) in content, words


def test_the_list_shows_what_is_not_closed(app, login_as, world):
    open_ = _reported(app, world)
    closed = _reported(app, world, description="礼品一盒", kind="gift")
    login_as("supervisor").post_form(f"/incidents/{closed.id}/act", {"action": "close", "text": "已上缴"})
    page = login_as("guard").get(f"/projects/{world.p1.id}/incidents")
    assert [a.get_text() for a in soup(page).select("#incident-rows a")] == [open_.number]
    everything = login_as("guard").get(f"/projects/{world.p1.id}/incidents?show=all", headers={"HX-Request": "true"})
    assert soup(everything).select_one("#incident-rows") is not None and len(soup(everything).select("li a")) == 2


def test_attention_lists_incidents_not_closed_critical_first(app, world):
    minor = _reported(app, world, severity="minor")
    critical = _reported(app, world, severity="critical")
    with app.test_request_context():
        from app.core.db import get_session

        items = [i for i in attention.collect(get_session(), [world.p1.id, world.p2.id], utcnow())
                 if i.key.startswith("incidents.")]
    assert [i.key for i in items] == [f"incidents.open:{critical.id}", f"incidents.open:{minor.id}"]
    assert items[0].urgency == attention.CRITICAL and items[0].url == f"/incidents/{critical.id}"


def test_home_offers_the_report_and_tells_the_supervisor_what_is_open(app, login_as, world):
    _reported(app, world, severity="serious")
    guard = soup(login_as("guard").get("/"))
    assert any("特殊事件上报" in a.get_text() for a in guard.select("a"))
    supervisor = text(login_as("supervisor").get(f"/projects/{world.p1.id}/today"), "li")  # the project's own page
    assert any("特殊事件" in t and "1 条未关闭" in t for t in supervisor)
