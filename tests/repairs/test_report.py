"""Reporting a repair without JavaScript, and reading tickets: the same service as the outbox."""
import io
import uuid

from sqlmodel import select

from app.repairs.models import Ticket
from tests import images
from tests.html import alert, soup, text


def _report(client, world, **fields):
    form = {"description": "水吧台下水管漏水", "location": "水吧", "area_id": str(world.areas["p1"].id),
            "client_id": str(uuid.uuid4()), "photos": [(io.BytesIO(images.image()), "leak.jpg")]}
    form.update(fields)
    return client.post_form(f"/projects/{world.p1.id}/report", form, content_type="multipart/form-data")


def test_a_report_without_javascript_creates_a_ticket_and_shows_it(login_as, world, db):
    client = login_as("attendant")
    response = _report(client, world)
    ticket = db.exec(select(Ticket).where(Ticket.description == "水吧台下水管漏水")).one()
    assert response.status_code == 302 and response.headers["Location"] == f"/tickets/{ticket.id}"
    page = client.get(response.headers["Location"])
    assert text(page, "h1") == [ticket.number]
    assert len(soup(page).select(".photo-grid img")) == 1


def test_a_double_submitted_form_makes_one_ticket(login_as, world, db):
    client, client_id = login_as("attendant"), str(uuid.uuid4())
    first = _report(client, world, client_id=client_id)
    second = _report(client, world, client_id=client_id, photos=[(io.BytesIO(images.image()), "leak.jpg")])
    assert first.headers["Location"] == second.headers["Location"]
    assert len(db.exec(select(Ticket).where(Ticket.description == "水吧台下水管漏水")).all()) == 1


def test_a_refused_report_keeps_what_was_typed(login_as, world, db):
    response = _report(login_as("attendant"), world, photos=[(io.BytesIO(images.pdf_renamed_jpg()), "x.jpg")])
    assert response.status_code == 422
    assert alert(response) == "第 1 张照片:文件不是可识别的照片,或已损坏。"
    assert soup(response).select_one("#description").get_text() == "水吧台下水管漏水"
    assert db.exec(select(Ticket).where(Ticket.description == "水吧台下水管漏水")).first() is None


def test_the_report_form_is_marked_for_the_outbox(login_as, world):
    form = soup(login_as("guard").get(f"/projects/{world.p1.id}/report")).select_one("form[data-outbox-kind]")
    assert form["data-outbox-kind"] == "ticket_report" and form["data-project-id"] == str(world.p1.id)
    assert form.select_one("input[type=file]")["accept"] == "image/*"


def test_supervisors_and_engineers_list_tickets_guards_do_not(login_as, world):
    for who in ("supervisor", "engineer", "admin"):
        assert world.tickets["p1"].number in text(login_as(who).get(f"/projects/{world.p1.id}/tickets"), "li a")
    assert login_as("guard").get(f"/projects/{world.p1.id}/tickets").status_code == 403


def test_the_home_screen_offers_the_report_form_to_every_role(login_as, world):
    tasks = text(login_as("guard").get("/"), ".project-card li a")
    assert "报修 / 异常上报" in tasks and "报修工单" not in tasks
    assert "报修工单" in text(login_as("supervisor").get("/"), ".project-card li a")
