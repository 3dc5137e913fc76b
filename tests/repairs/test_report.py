"""Reporting a repair without JavaScript, and reading tickets: the same service as the outbox."""
import io
import uuid
from datetime import timedelta

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
    # a supervisor's card is on the project's own page (their home lists what needs attention, issue 20)
    assert "报修工单" in text(login_as("supervisor").get(f"/projects/{world.p1.id}/today"), ".project-card li a")


def test_category_severity_and_urgency_set_the_completion_target(login_as, world, db):
    response = _report(login_as("attendant"), world, category="电", severity="major", urgent="1")
    ticket = db.exec(select(Ticket).where(Ticket.description == "水吧台下水管漏水")).one()
    assert response.status_code == 302
    assert (ticket.category, ticket.severity, ticket.urgent) == ("电", "major", True)
    assert ticket.due_at - ticket.created_at == timedelta(hours=4)  # urgent: four hours, whatever the severity


def test_an_unknown_category_falls_back_to_other(login_as, world, db):
    _report(login_as("attendant"), world, category="<script>", severity="huge")
    ticket = db.exec(select(Ticket).where(Ticket.description == "水吧台下水管漏水")).one()
    assert (ticket.category, ticket.severity) == ("其他", "minor")
    assert ticket.due_at - ticket.created_at == timedelta(days=7)


def test_a_100_mb_upload_is_refused_with_a_clear_message(login_as, world, db):
    response = _report(login_as("attendant"), world, photos=[(io.BytesIO(b"\xff" * (100 * 1024 * 1024)), "big.jpg")])
    assert response.status_code == 413 and "文件太大" in alert(response)
    assert db.exec(select(Ticket).where(Ticket.description == "水吧台下水管漏水")).first() is None


def test_a_jpeg_with_something_hidden_after_it_is_stored_clean(login_as, world, db, app):
    from app.core.photos import Photo
    from app.core.storage import storage

    polyglot = images.image() + b"<script>alert(1)</script>PK\x03\x04"
    _report(login_as("attendant"), world, photos=[(io.BytesIO(polyglot), "x.jpg")])
    ticket = db.exec(select(Ticket).where(Ticket.description == "水吧台下水管漏水")).one()
    photo = db.exec(select(Photo).where(Photo.owner_type == "ticket", Photo.owner_id == ticket.id)).one()
    with app.app_context():
        stored = storage().open(photo.key).read()
    assert stored.startswith(b"\xff\xd8") and b"<script>" not in stored and b"PK\x03\x04" not in stored


def test_a_supervisor_edits_targets_and_categories(login_as, world, db):
    from app.repairs.models import RepairSettings

    client = login_as("supervisor")
    form = {"dispatch_minutes": "5", "urgent_hours": "2", "minor_days": "3", "medium_days": "20", "major_days": "45",
            "categories": "水电\n门窗\n空调"}
    assert client.post_form(f"/projects/{world.p1.id}/repairs/settings", form).status_code == 302
    settings = db.get(RepairSettings, world.p1.id)
    assert (settings.minor_days, settings.categories) == (3, ["水电", "门窗", "空调", "其他"])
    refused = client.post_form(f"/projects/{world.p1.id}/repairs/settings", {**form, "minor_days": "0"})
    assert refused.status_code == 400 and alert(refused) == "小修时限(天)须为 1 到 60 之间的整数。"
    _report(client, world, category="空调")
    ticket = db.exec(select(Ticket).where(Ticket.description == "水吧台下水管漏水")).one()
    assert ticket.category == "空调" and ticket.due_at - ticket.created_at == timedelta(days=3)
    assert login_as("engineer").get(f"/projects/{world.p1.id}/repairs/settings").status_code == 403


def test_an_area_id_no_database_could_hold_is_refused_not_a_500(login_as, world, db):
    for forged in ("99999999999999999999", "²"):
        response = _report(login_as("attendant"), world, area_id=forged, client_id=str(uuid.uuid4()))
        assert response.status_code == 422, forged
    assert db.exec(select(Ticket).where(Ticket.description == "水吧台下水管漏水")).first() is None
