"""The pages: my shift (with its no-JavaScript posts), the supervisor's board, set-up, home cards, offline pages."""
import io

import pytest
from sqlmodel import select

from app.accounts.models import User
from app.shifts.models import Attendance, Matter, Post, RestockRequest, ShiftPattern, WaterEntry, WaterItem
from tests import factories, images
from tests.html import alert, soup, text


def _newcomer(app, world, db, username="li"):
    factories.user(db, world.org_a, username, roles=[(world.p1, "attendant")])
    client = app.test_client()
    assert client.login(username).status_code == 302
    return client


def _post(client, world, kind, **data):
    return client.post_form(f"/projects/{world.p1.id}/my-shift", {"kind": kind, **data},
                            content_type="multipart/form-data")


def test_my_shift_offers_every_form_to_the_outbox(app, world, db):
    page = soup(_newcomer(app, world, db).get(f"/projects/{world.p1.id}/my-shift"))
    kinds = [f["data-outbox-kind"] for f in page.select("form[data-outbox-kind]")]
    assert kinds[:2] == ["shift_clock_in", "shift_visitors"]
    assert {"shift_matter_ack", "shift_matter", "shift_event", "water_usage", "water_count"} <= set(kinds)
    assert [o.get_text() for o in page.select("#post_id option")] == [world.shifts["p1"].post.name]
    assert page.select_one(f"#used-{world.shifts['p1'].item.id}")["value"] == "0"


def test_without_javascript_an_attendant_clocks_in_counts_logs_and_clocks_out(app, world, db):
    client = _newcomer(app, world, db)
    objects = world.shifts["p1"]
    clocked = _post(client, world, "shift_clock_in", post_id=objects.post.id, pattern_id=objects.pattern.id)
    assert clocked.status_code == 302
    for _ in range(3):
        _post(client, world, "shift_visitors", count="1")
    _post(client, world, "shift_event", text="空调漏水,已报修", photo=(io.BytesIO(images.image()), "a.jpg"))
    _post(client, world, "water_usage", **{f"used-{objects.item.id}": "2"})
    page = client.get(f"/projects/{world.p1.id}/my-shift")
    assert text(page, ".shift-now strong") == [f"在岗:{objects.post.name} · 早班"]
    assert text(page, "#visitor-count") == ["3"]
    assert "空调漏水,已报修" in text(page, "#shift-events li span")[0]
    assert _post(client, world, "shift_clock_out").status_code == 302
    db.expire_all()
    shift = db.exec(select(Attendance).join(User, User.id == Attendance.user_id).where(User.username == "li")).one()
    assert shift.visitors == 3 and shift.ended_at is not None
    assert db.exec(select(WaterEntry.used).where(WaterEntry.item_id == objects.item.id)).all() == [2]


def test_a_refused_record_says_why_with_422(app, world, db):
    client = _newcomer(app, world, db)
    response = _post(client, world, "shift_visitors", count="1")
    assert response.status_code == 422 and "您不在岗" in alert(response)
    response = _post(client, world, "water_usage", **{f"used-{world.shifts['p1'].item.id}": "6"})
    assert response.status_code == 422 and alert(response) == "江城壹号销售中心的矿泉水库存不足:账面只有 5 瓶,不能用掉 6 瓶。"


def test_the_next_attendant_sees_the_matter_and_acknowledges_it(app, world, db, login_as):
    matter = world.shifts["p1"].matter  # raised by the world's attendant
    client = _newcomer(app, world, db)
    page = soup(client.get(f"/projects/{world.p1.id}/my-shift"))
    item = page.select_one(f"#matter-{matter.id}")
    assert "urgent" in item["class"] and item.select_one("form[data-outbox-kind=shift_matter_ack]")
    assert "1 个交接事项待确认" in " ".join(text(client.get("/"), ".project-card li"))
    _post(client, world, "shift_matter_ack", matter_id=matter.id)
    db.expire_all()
    assert db.get(Matter, matter.id).acknowledged_at is not None
    # its raiser cannot acknowledge it, but once acknowledged may close it
    own = soup(login_as("attendant").get(f"/projects/{world.p1.id}/my-shift")).select_one(f"#matter-{matter.id}")
    assert own.select_one("form[data-outbox-kind]") is None
    closed = login_as("attendant").post_form(f"/matters/{matter.id}/close")
    assert closed.status_code == 302
    db.expire_all()
    assert db.get(Matter, matter.id).closed_at is not None


def test_an_attendant_cannot_close_an_unacknowledged_matter(world, db, login_as):
    matter = world.shifts["p1"].matter
    response = login_as("attendant").post_form(f"/matters/{matter.id}/close")
    assert response.status_code == 409 and alert(response) == "事项须先由接班人确认,才能关闭。"
    db.expire_all()
    assert db.get(Matter, matter.id).closed_at is None


@pytest.mark.usefixtures("handover_world")
def test_the_board_shows_posts_matters_and_restock_requests(app, world, db, login_as):
    client = _newcomer(app, world, db)
    objects = world.shifts["p1"]
    _post(client, world, "shift_clock_in", post_id=objects.post.id, pattern_id=objects.pattern.id)
    page = login_as("supervisor").get(f"/projects/{world.p1.id}/shifts")
    assert page.status_code == 200
    assert text(page, "#occupancy li strong") == [objects.post.name]
    assert "li的名字" in text(page, "#occupancy li span")[0]
    assert objects.matter.text in text(page, "#open-matters .matter-text")
    assert text(page, "#restock-requests li strong") == [objects.item.name]
    assert text(page, f"#rooms-status-{world.p1.id} .room-status strong") == [world.rooms["p1"].name]
    assert login_as("attendant").get(f"/projects/{world.p1.id}/shifts").status_code == 403


def test_a_supervisor_declines_a_restock_request_with_a_reason_in_place(world, db, login_as):
    client, restock = login_as("supervisor"), world.shifts["p1"].restock
    refused = client.post_form(f"/restock/{restock.id}/decide", {"decision": "decline", "reason": ""}, htmx=True)
    assert refused.status_code == 422 and alert(refused) == "请填写不批准的原因。"
    done = client.post_form(f"/restock/{restock.id}/decide", {"decision": "decline", "reason": "月底统一采购"},
                            htmx=True)
    fragment = soup(done)
    assert done.status_code == 200 and fragment.select_one("section")["id"] == "restock-requests"
    assert fragment.select("#restock-requests li.empty")
    db.expire_all()
    assert (db.get(RestockRequest, restock.id).status, db.get(RestockRequest, restock.id).reason) == ("declined", "月底统一采购")


def test_a_supervisor_closes_a_matter_from_the_board(world, db, login_as):
    matter = world.shifts["p1"].matter
    response = login_as("supervisor").post_form(f"/matters/{matter.id}/close", {"note": "已处理"}, htmx=True)
    assert response.status_code == 200 and soup(response).select_one("#open-matters li.empty")


def test_setup_adds_posts_patterns_and_items_and_refuses_bad_ones(world, db, login_as):
    client, project = login_as("supervisor"), world.p1
    assert client.post_form(f"/projects/{project.id}/posts", {"name": "接待"}).status_code == 302
    bad = client.post_form(f"/projects/{project.id}/patterns", {"name": "晚班", "start": "17:30", "end": "17:30"})
    assert bad.status_code == 422 and alert(bad).startswith("下班时间不能与上班时间相同(都是 17:30)")
    assert db.exec(select(ShiftPattern).where(ShiftPattern.name == "晚班")).first() is None
    assert client.post_form(f"/projects/{project.id}/patterns",
                            {"name": "中班", "start": "09:30", "end": "17:30"}).status_code == 302
    negative = client.post_form(f"/projects/{project.id}/water/items",
                                {"name": "咖啡豆", "unit": "包", "min_stock": "-2", "initial_stock": "5"})
    assert negative.status_code == 422 and alert(negative) == "最低库存须在 0 到 100000 之间。"
    item = world.shifts["p1"].item
    client.post_form(f"/water/items/{item.id}", {"name": item.name, "unit": "箱", "min_stock": "3",
                                                 "initial_stock": "5", "active": ["0"]})
    db.expire_all()
    assert (db.get(WaterItem, item.id).unit, db.get(WaterItem, item.id).active) == ("箱", False)
    assert db.exec(select(Post).where(Post.project_id == project.id, Post.name == "接待")).one().active
    assert login_as("attendant").post_form(f"/projects/{project.id}/posts", {"name": "车场"}).status_code == 403


def test_home_cards_and_kept_pages(world, login_as):
    assert "我的班次" in text(login_as("attendant").get("/"), ".project-card li a")
    assert "案场值班" in text(login_as("supervisor").get(f"/projects/{world.p1.id}/today"), ".project-card li a")
    assert "我的班次" not in text(login_as("guard").get("/"), ".project-card li a")
    pages = login_as("attendant").get("/api/v1/offline-pages").get_json()["pages"]
    assert f"/projects/{world.p1.id}/my-shift" in pages and "/static/js/shifts.js" in pages
    assert not any("my-shift" in p for p in login_as("guard").get("/api/v1/offline-pages").get_json()["pages"])


def test_a_double_submitted_plain_form_counts_once(app, world, db):
    client = _newcomer(app, world, db)
    objects = world.shifts["p1"]
    _post(client, world, "shift_clock_in", post_id=objects.post.id, pattern_id=objects.pattern.id)
    form = soup(client.get(f"/projects/{world.p1.id}/my-shift")).select_one("#visitor-form")
    client_id = form.select_one("input[name=client_id]")["value"]
    for _ in range(2):
        assert _post(client, world, "shift_visitors", count="1", client_id=client_id).status_code == 302
    db.expire_all()
    shift = db.exec(select(Attendance).join(User, User.id == Attendance.user_id).where(User.username == "li")).one()
    assert shift.visitors == 1
