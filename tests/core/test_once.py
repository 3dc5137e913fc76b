"""A plain form post that creates something counts once: back and submit again, a double tap, a reload."""
import io
import threading

import pytest
from sqlmodel import select

from app.repairs import public
from app.repairs.models import Ticket
from tests import images
from tests.html import soup

TYPED = {"name": "王女士", "phone": "13800138000", "location": "3 栋 2 单元 1201 室", "description": "厨房水管漏水"}


@pytest.fixture(autouse=True)
def _no_fill_delay(app, monkeypatch):
    monkeypatch.setitem(app.config, "RESIDENT_MIN_FILL_SECONDS", 0)


@pytest.fixture
def form(app, client, world):
    url = f"/r/{public.link_token(world.p1.id, secret_key=app.config['SECRET_KEY'])}"
    page = client.get(url)
    hidden = {f["name"]: f.get("value", "") for f in soup(page).select("form.resident-form input[type=hidden]")}
    assert hidden["client_id"]
    return url, hidden


def _post(client, url, fields, **changes):
    data = {**fields, **TYPED, "website": "", "photos": [(io.BytesIO(images.image()), "leak.jpg")], **changes}
    return client.post(url, data=data, content_type="multipart/form-data", environ_base={"REMOTE_ADDR": "203.0.113.9"})


def _tickets(db):
    db.expire_all()
    return db.exec(select(Ticket).where(Ticket.source == "resident")).all()


def test_the_same_form_sent_again_makes_one_ticket_and_answers_with_the_first(client, form, db):
    url, fields = form
    first = _post(client, url, fields)
    again = _post(client, url, fields)  # back, then submit again
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert len(_tickets(db)) == 1


def test_a_refused_post_does_not_use_up_its_form(client, form, db):
    url, fields = form
    refused = _post(client, url, fields, description="")
    assert refused.status_code == 422 and _tickets(db) == []
    shown_again = {f["name"]: f.get("value", "") for f in soup(refused).select("form.resident-form input[type=hidden]")}
    assert shown_again["client_id"] == fields["client_id"]  # the corrected form is the same form
    assert _post(client, url, fields).status_code == 303
    assert _post(client, url, fields).status_code == 303
    assert len(_tickets(db)) == 1


def test_two_copies_sent_at_the_same_moment_make_one_ticket(app, client, form, db):
    url, fields = form
    answers = []

    def send():
        answers.append(_post(client, url, fields).headers.get("Location"))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(_tickets(db)) == 1
    assert len(set(answers)) == 1 and answers[0]


def test_an_id_posted_to_another_form_is_not_answered_with_the_first_forms_result(client, form, db, world, app):
    url, fields = form
    first = _post(client, url, fields)
    other = f"/r/{public.link_token(world.p2.id, secret_key=app.config['SECRET_KEY'])}"
    elsewhere = _post(client, other, {**fields, "stamp": soup(client.get(other)).select_one("[name=stamp]")["value"]})
    assert elsewhere.headers.get("Location") != first.headers["Location"]
