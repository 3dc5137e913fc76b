"""A resident requests a repair without an account, through the project's signed link, and follows it privately."""
import io
from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer
from PIL import Image
from sqlmodel import select

from app.core.db import utcnow
from app.core.photos import Photo
from app.repairs import public
from app.repairs.models import Ticket
from tests import images
from tests.html import alert, soup, text

TYPED = {"name": "王女士", "phone": "+86 138-0013-8000", "location": "3 栋 2 单元 1201 室卫生间",
         "description": "卫生间天花板漏水,已滴到地面"}


@pytest.fixture(autouse=True)
def _no_fill_delay(app, monkeypatch):
    """Submissions in these tests come straight after the form; only the fill-time test restores the delay."""
    monkeypatch.setitem(app.config, "RESIDENT_MIN_FILL_SECONDS", 0)


@pytest.fixture
def form_url(app, world):
    return f"/r/{public.link_token(world.p1.id, secret_key=app.config['SECRET_KEY'])}"


def _hidden_fields(client, url) -> dict:
    page = client.get(url)
    assert page.status_code == 200
    return {field["name"]: field.get("value", "") for field in soup(page).select("form.resident-form input[type=hidden]")}


def _submit(client, url, ip="203.0.113.7", **changes):
    data = {**_hidden_fields(client, url), **TYPED, "website": "",
            "photos": [(io.BytesIO(images.image()), "leak.jpg")], **changes}
    return client.post(url, data=data, content_type="multipart/form-data", environ_base={"REMOTE_ADDR": ip})


def _resident_tickets(db) -> list[Ticket]:
    return db.exec(select(Ticket).where(Ticket.source == "resident")).all()


def _earlier_request(db, world, *, ip: str, minutes_ago: int, project=None) -> None:
    now = utcnow()
    db.add(Ticket(project_id=(project or world.p1).id, description="早先的报修", source="resident", source_ip=ip,
                  reported_at=now, created_at=now - timedelta(minutes=minutes_ago)))
    db.commit()


def test_a_resident_request_with_a_photo_becomes_a_reported_ticket_and_shows_its_status(client, form_url, db):
    response = _submit(client, form_url)
    [ticket] = _resident_tickets(db)
    assert (ticket.status, ticket.source, ticket.reporter_id) == ("reported", "resident", None)
    assert (ticket.reporter_name, ticket.reporter_phone) == ("王女士", "+8613800138000")
    assert (ticket.location, ticket.description, ticket.source_ip) == (TYPED["location"], TYPED["description"],
                                                                       "203.0.113.7")
    assert [p.owner_type for p in db.exec(select(Photo).where(Photo.owner_id == ticket.id,
                                                              Photo.owner_type == "ticket"))] == ["ticket"]
    assert response.status_code == 303 and response.headers["Location"] == f"/r/status/{ticket.public_token}"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert text(page, "h1") == [ticket.number]
    assert text(page, ".ticket-status") == ["待派单"]


def test_a_request_without_photos_is_accepted(client, form_url, db):
    assert _submit(client, form_url, photos=[]).status_code == 303
    assert len(_resident_tickets(db)) == 1


def test_the_status_page_never_shows_who_works_on_it_and_says_when_it_is_done(client, form_url, world, db):
    _submit(client, form_url)
    [ticket] = _resident_tickets(db)
    engineer = world.users["engineer"]
    ticket.assignee_id, ticket.work_note, ticket.reason = engineer.id, "内部备注:更换阀门", "内部原因"
    ticket.status, ticket.closed_at = "closed", utcnow()
    db.add(ticket)
    db.commit()
    page = client.get(f"/r/status/{ticket.public_token}")
    body = page.get_data(as_text=True)
    assert text(page, ".ticket-status") == ["已关闭"]
    assert "处理完毕" in " ".join(text(page, "[role=status]"))
    for secret in (engineer.display_name, engineer.username, "内部备注", "内部原因", "王女士", "13800138000"):
        assert secret not in body


def test_the_status_page_shows_the_residents_photos_and_the_after_photos_to_the_link_holder(client, form_url, db):
    _submit(client, form_url)
    [ticket] = _resident_tickets(db)
    [own] = db.exec(select(Photo).where(Photo.owner_type == "ticket", Photo.owner_id == ticket.id)).all()
    for kind in ("ticket_after", "ticket_work"):  # the work photos stay with the staff
        db.add(Photo(project_id=ticket.project_id, owner_type=kind, owner_id=ticket.id, key=own.key,
                     thumb_key=own.thumb_key, width=own.width, height=own.height, size=own.size, sha256=own.sha256))
    db.commit()
    after, work = (db.exec(select(Photo).where(Photo.owner_type == kind, Photo.owner_id == ticket.id)).one()
                   for kind in ("ticket_after", "ticket_work"))
    status = f"/r/status/{ticket.public_token}"
    page = soup(client.get(status))
    tiles = [a["href"] for a in page.select("a.photo-tile")]
    assert tiles == [f"{status}/photos/{own.id}", f"{status}/photos/{after.id}"]
    assert [img["src"] for img in page.select("a.photo-tile img")] == [f"{status}/photos/{own.id}/thumb",
                                                                       f"{status}/photos/{after.id}/thumb"]
    for url in tiles + [f"{status}/photos/{own.id}/thumb"]:
        answer = client.get(url)
        assert answer.status_code == 200
        assert Image.open(io.BytesIO(answer.data)).format == "JPEG"
    assert client.get(f"{status}/photos/{work.id}").status_code == 404
    assert client.get(f"/r/status/{'x' * 24}/photos/{own.id}").status_code == 404
    assert page.select_one("a.brand")["href"] == form_url  # the resident's way back is the form, not the staff login
    assert form_url in [a["href"] for a in page.select("main a")]


def test_another_token_opens_no_status_page_and_leaks_nothing(client, form_url, world, db):
    _submit(client, form_url)
    [ticket] = _resident_tickets(db)
    for token in ("x" * 24, ticket.public_token[:-1] + ("A" if ticket.public_token[-1] != "A" else "B"), "x" * 40):
        page = client.get(f"/r/status/{token}")
        assert page.status_code == 404
        body = page.get_data(as_text=True)
        for secret in (ticket.number, ticket.description, world.p1.name):
            assert secret not in body


@pytest.mark.parametrize("changes, field, message", [
    ({"name": "  "}, "name", "请填写您的称呼。"),
    ({"phone": ""}, "phone", "请填写联系电话。"),
    ({"phone": "12345"}, "phone", "请填写正确的电话号码(7-20 位数字)。"),
    ({"phone": "138abc00138000"}, "phone", "请填写正确的电话号码(7-20 位数字)。"),
    ({"location": ""}, "location", "请填写位置。"),
    ({"description": ""}, "description", "请描述问题。"),
    ({"description": "长" * 2001}, "description", "描述不能超过 2000 字。"),
    ({"photos": [(io.BytesIO(images.pdf_renamed_jpg()), "x.jpg")]}, "photos",
     "第 1 张照片:文件不是可识别的照片,或已损坏。"),
    ({"photos": [(io.BytesIO(images.image()), f"{n}.jpg") for n in range(5)]}, "photos", "照片最多 4 张。"),
])
def test_a_refused_request_keeps_what_was_typed_and_creates_nothing(client, form_url, db, changes, field, message):
    response = _submit(client, form_url, **changes)
    assert response.status_code == 422
    assert alert(response) == message
    page = soup(response)
    assert page.select_one(f"#{field}")["aria-invalid"] == "true"
    assert page.select_one(f"#{field}-error").get_text(strip=True) == message
    for key in set(TYPED) - set(changes):
        element = page.select_one(f"#{key}")
        assert (element.get_text() if element.name == "textarea" else element["value"]) == TYPED[key]
    assert _resident_tickets(db) == []


def test_the_honeypot_answers_like_success_and_keeps_nothing(client, form_url, db):
    response = _submit(client, form_url, website="http://spam.example")
    assert response.status_code == 303 and response.headers["Location"].startswith("/r/status/")
    assert _resident_tickets(db) == [] and db.exec(select(Photo).where(Photo.owner_type == "ticket",
                                                                         Photo.key.contains("resident"))).all() == []


def test_a_submission_faster_than_the_minimum_fill_time_is_refused_kindly(app, client, form_url, db, monkeypatch):
    monkeypatch.setitem(app.config, "RESIDENT_MIN_FILL_SECONDS", 3)
    response = _submit(client, form_url)
    assert response.status_code == 422
    assert alert(response) == "提交太快,请稍后再试。"
    assert soup(response).select_one("#name")["value"] == TYPED["name"]
    assert _resident_tickets(db) == []


def test_a_submission_without_a_valid_form_stamp_is_refused(client, form_url, db):
    assert _submit(client, form_url, stamp="forged").status_code == 422
    assert _resident_tickets(db) == []


def test_the_sixth_request_from_one_address_within_an_hour_gets_429(client, form_url, world, db):
    _earlier_request(db, world, ip="198.51.100.4", minutes_ago=90)  # outside the hour: not counted
    for minutes in (5, 15, 25, 35):
        _earlier_request(db, world, ip="198.51.100.4", minutes_ago=minutes, project=world.p2)
    assert _submit(client, form_url, ip="198.51.100.4").status_code == 303  # the fifth
    response = _submit(client, form_url, ip="198.51.100.4")
    assert response.status_code == 429
    assert "一小时后再试" in alert(response)
    assert soup(response).select_one("#description").get_text() == TYPED["description"]
    assert len(_resident_tickets(db)) == 6
    assert _submit(client, form_url, ip="198.51.100.5").status_code == 303  # another address still may


def test_a_project_takes_at_most_thirty_requests_an_hour(client, form_url, world, db):
    for n in range(30):
        _earlier_request(db, world, ip=f"192.0.2.{n}", minutes_ago=30)
    assert _submit(client, form_url, ip="198.51.100.9").status_code == 429
    assert len(_resident_tickets(db)) == 30


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_or_unknown_project_token_is_404(app, client, world, db, method):
    other_salt = URLSafeSerializer(app.config["SECRET_KEY"], salt="other").dumps(world.p1.id)
    other_key = URLSafeSerializer("not-the-key", salt=public.LINK_SALT).dumps(world.p1.id)
    missing = public.link_token(999999, secret_key=app.config["SECRET_KEY"])
    for token in ("forged-token", other_salt, other_key, missing):
        response = getattr(client, method)(f"/r/{token}", data={**TYPED, "csrf_token": client.csrf()})
        assert response.status_code == 404
        assert world.p1.name not in response.get_data(as_text=True)
    assert _resident_tickets(db) == []


def test_an_archived_project_takes_no_requests(client, form_url, world, db):
    world.p1.archived = True
    db.add(world.p1)
    db.commit()
    assert client.get(form_url).status_code == 404


def test_the_link_token_round_trips_and_refuses_garbage(app):
    key = app.config["SECRET_KEY"]
    assert public.project_from_token(public.link_token(42, secret_key=key), secret_key=key) == 42
    assert public.project_from_token("garbage", secret_key=key) is None
    a_string = URLSafeSerializer(key, salt="resident-request").dumps("42")
    assert public.project_from_token(a_string, secret_key=key) is None


def test_phone_numbers_are_compacted():
    assert public.compact_phone("138 0013 8000") == "13800138000"
    assert public.compact_phone("+86 21-5555-0101") == "+862155550101"
    assert public.compact_phone("+86+138") is None


def test_the_supervisor_gets_a_printable_link_that_opens_the_form(login_as, client, world):
    page = login_as("supervisor").get(f"/projects/{world.p1.id}/resident-link")
    assert page.status_code == 200
    url = soup(page).select_one(".resident-url a")["href"]
    assert url.startswith("http://localhost/r/")
    assert soup(page).select_one(".resident-qr svg") is not None
    form = client.get(url.removeprefix("http://localhost"))
    assert form.status_code == 200 and world.p1.name in text(form, "p.muted")
    assert soup(form).select_one("label[for=website]").find_parent(class_="hp") is not None


def test_the_link_uses_the_public_url_when_set(app, login_as, world, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://wuye.example.cn")
    page = login_as("supervisor").get(f"/projects/{world.p1.id}/resident-link")
    assert soup(page).select_one(".resident-url a")["href"].startswith("https://wuye.example.cn/r/")


@pytest.mark.parametrize("who", ["guard", "engineer", "attendant"])
def test_other_roles_do_not_get_the_link_page(login_as, world, who):
    assert login_as(who).get(f"/projects/{world.p1.id}/resident-link").status_code == 403
