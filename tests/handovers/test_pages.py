"""The pages around a handover: the record with its amendments, the room's history, the PDF, the CSV, the status."""
import io

from pypdf import PdfReader
from sqlmodel import select

from app.handovers.models import Amendment, Handover, Room
from tests import images
from tests.handovers.helpers import all_present, envelope, post, signatures
from tests.html import alert, soup, text
from tests.queries import queries_for


def _damaged_cup(login_as, world, db, room) -> Handover:
    data = all_present(**{"status-i2": "damaged", "note-i2": "杯口有裂纹"})
    response = post(login_as("attendant"), envelope(world, room, data), [("photo-i2", images.image())] + signatures())
    assert response.status_code == 201
    return db.get(Handover, response.json["id"])


def test_the_handover_page_shows_lines_discrepancy_photos_and_both_signatures(login_as, world, db, sample_room):
    handover = _damaged_cup(login_as, world, db, sample_room)
    page = soup(login_as("supervisor").get(f"/handovers/{handover.id}"))
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in page.select(".handover-lines tbody tr")]
    assert [r[1] for r in rows] == ["水晶吊灯", "骨瓷咖啡杯", "真丝抱枕"] and rows[1][-1].startswith("损坏")
    assert len(page.select(".discrepancy-list img")) == 1
    captions = [f.get_text(" ", strip=True) for f in page.select(".signature-box figcaption")]
    assert captions[0].startswith("交班人:attendant的名字") and captions[1].startswith("接班人:attendant_b的名字")
    assert len(page.select(".signature-box img")) == 2
    assert page.select_one(".badge.state-locked").get_text() == "已锁定"
    ticket_link = page.select_one(".discrepancy-list a.badge")
    assert ticket_link.get_text() == "已报修" and ticket_link["href"].startswith("/tickets/")


def test_the_pdf_holds_item_names_and_both_signers(login_as, world, db, sample_room):
    handover = _damaged_cup(login_as, world, db, sample_room)
    response = login_as("supervisor").get(f"/handovers/{handover.id}/record.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "".join(page.extract_text() for page in reader.pages)
    for words in ("样板间交接记录", "水晶吊灯", "骨瓷咖啡杯", "真丝抱枕", "杯口有裂纹", "attendant的名字", "attendant_b的名字"):
        assert words in text, words
    images_in_pdf = sum(len(page.images) for page in reader.pages)
    assert images_in_pdf >= 3  # the damage photo and the two signatures


def test_an_amendment_by_the_supervisor_through_the_page(login_as, world, db, sample_room):
    handover = _damaged_cup(login_as, world, db, sample_room)
    client = login_as("supervisor")
    refused = client.post_form(f"/handovers/{handover.id}/amend", {"line_key": "i2", "status": "present", "found": "4",
                                                                     "reason": ""})
    assert refused.status_code == 422 and "请填写更正原因" in alert(refused)
    response = client.post(f"/handovers/{handover.id}/amend", data={
        "csrf_token": client.csrf(), "line_key": "i3", "status": "missing", "found": "1", "reason": "复核发现少了一个抱枕",
        "photo": (io.BytesIO(images.image()), "pillow.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 302
    db.expire_all()
    handover = db.get(Handover, handover.id)
    assert handover.state == "amended" and handover.discrepancies == 2
    [amendment] = db.exec(select(Amendment).where(Amendment.handover_id == handover.id)).all()
    assert amendment.changes[0]["after"]["status"] == "missing"
    history = soup(client.get(f"/rooms/{sample_room.id}"))
    assert "复核发现少了一个抱枕" in history.select_one(".room-history").get_text()


def test_an_attendant_not_party_to_the_handover_may_not_amend_it(app, login_as, world, db, sample_room):
    from tests import factories

    handover = _damaged_cup(login_as, world, db, sample_room)
    factories.user(db, world.org_a, "attendant_c", roles=[(world.p1, "attendant")])
    client = app.test_client()
    client.login("attendant_c")
    assert client.get(f"/handovers/{handover.id}").status_code == 200  # reading is fine
    response = client.post_form(f"/handovers/{handover.id}/amend", {
        "line_key": "i2", "status": "present", "found": "4", "reason": "想改"})
    assert response.status_code == 403
    assert db.exec(select(Amendment)).all() == []


def test_the_discrepancy_csv(login_as, world, db, sample_room):
    _damaged_cup(login_as, world, db, sample_room)
    response = login_as("supervisor").get(f"/projects/{world.p1.id}/handovers/discrepancies.csv")
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("交接时间,样板间,物品")
    assert len(lines) == 2 and "样板间A,骨瓷咖啡杯,餐具,餐桌,4,4,损坏,杯口有裂纹,attendant的名字,attendant_b的名字" in lines[1]
    assert login_as("attendant").get(f"/projects/{world.p1.id}/handovers/discrepancies.csv").status_code == 403


def test_the_rooms_status_partial_shows_the_last_handover_per_room(login_as, world, db, sample_room):
    _damaged_cup(login_as, world, db, sample_room)
    page = soup(login_as("supervisor").get(f"/projects/{world.p1.id}/rooms"))
    status = page.select_one(f"#rooms-status-{world.p1.id}")
    rooms = {li.select_one("strong").get_text(): li for li in status.select("li.room-status")}
    assert set(rooms) == {"样板间A", "江城壹号销售中心的样板间"}
    assert "has-discrepancies" in rooms["样板间A"]["class"]
    assert " ".join(rooms["样板间A"].select_one(".discrepancies").get_text(" ").split()) == "损坏 骨瓷咖啡杯 4/4 · 杯口有裂纹"
    assert rooms["江城壹号销售中心的样板间"].select_one(".line-present").get_text() == "物品齐全"
    assert page.select(f'a[href="/rooms/{sample_room.id}/handover"]') == []  # counting is the attendants' job
    assert soup(login_as("attendant").get(f"/projects/{world.p1.id}/rooms")).select(
        f'a[href="/rooms/{sample_room.id}/handover"]')


def test_the_handover_form_lists_the_items_and_the_other_attendants(login_as, world, db, sample_room):
    page = soup(login_as("attendant").get(f"/rooms/{sample_room.id}/handover"))
    form = page.select_one("form#handover-form")
    assert form["data-outbox-kind"] == "room_handover" and form["data-project-id"] == str(world.p1.id)
    assert [fs["id"] for fs in form.select("fieldset.handover-line")] == ["line-i1", "line-i2", "line-i3"]
    assert [o.get_text() for o in form.select("#incoming_id option")][1:] == ["attendant_b的名字"]
    assert form.select_one("#sign-outgoing").has_attr("data-signature")


def test_the_home_card_leads_attendants_to_the_rooms(login_as, world, sample_room):
    page = soup(login_as("attendant").get("/"))
    assert page.find("a", string="样板间交接 / 开场收场")["href"] == f"/projects/{world.p1.id}/rooms"


def test_an_amendment_that_finds_a_missing_item_damaged_tells_the_supervisor_again(login_as, world, db, sample_room):
    from app.core.notifications import Notification
    from app.repairs.models import Ticket

    data = all_present(**{"status-i3": "missing", "found-i3": "1"})
    response = post(login_as("attendant"), envelope(world, sample_room, data), [("photo-i3", images.image())] + signatures())
    handover_id = response.json["id"]
    client = login_as("supervisor")
    amended = client.post(f"/handovers/{handover_id}/amend", data={
        "csrf_token": client.csrf(), "line_key": "i3", "status": "damaged", "found": "1", "reason": "找到了,但已破损",
        "photo": (io.BytesIO(images.image()), "pillow.jpg")}, content_type="multipart/form-data")
    assert amended.status_code == 302
    db.expire_all()
    assert len(db.exec(select(Notification).where(Notification.user_id == world.users["supervisor"].id)).all()) == 2
    texts = text(client.get("/notifications"), "ul.card-list li a")  # newest first
    assert texts == ["样板间A交接:真丝抱枕(损坏)", "样板间A交接:真丝抱枕(缺失)"]
    assert len(db.exec(select(Ticket).where(Ticket.source == "handover")).all()) == 1


def test_user_text_in_the_pdf_is_text_not_markup(login_as, world, db, sample_room):
    data = all_present(**{"status-i2": "damaged", "note-i2": "<b>杯口</b><img src=x>"})
    response = post(login_as("attendant"), envelope(world, sample_room, data, note="<i>交接说明</i>"),
                    [("photo-i2", images.image())] + signatures())
    pdf = login_as("supervisor").get(f"/handovers/{response.json['id']}/record.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "<b>杯口</b><img src=x>" in text and "<i>交接说明</i>" in text



def test_the_room_history_and_the_rooms_status_do_not_query_per_row(app, login_as, world, db, sample_room):
    from tests.handovers import builders

    client = login_as("supervisor")
    first = builders.handover(db, sample_room, world.users["attendant"], world.users["attendant_b"])
    db.add(Amendment(handover_id=first.id, number=1, actor_id=world.users["supervisor"].id, reason="核对", changes=[]))
    db.commit()
    pages = (f"/rooms/{sample_room.id}", f"/projects/{world.p1.id}/rooms", "/")
    before = [queries_for(app, client, url) for url in pages]
    for number in range(4):
        room = builders.room(db, world.p1, f"样板间{number}") if number else sample_room
        for _ in range(3):
            builders.handover(db, room, world.users["attendant"], world.users["attendant_b"])
        db.add(Amendment(handover_id=db.exec(select(Handover.id).where(Handover.room_id == room.id)
                                             .order_by(Handover.id.desc())).first(),
                         number=1, actor_id=world.users["supervisor"].id,
                         reason="核对", changes=[]))
        db.commit()
    after = [queries_for(app, client, url) for url in pages]
    # Not one more statement for 4 rooms and 13 handovers (a first visit may run a few once-only ones).
    assert all(a <= b for a, b in zip(after, before, strict=True)), (after, before)
    newest = {room.id: db.exec(select(Handover.id).where(Handover.room_id == room.id)
                               .order_by(Handover.counted_at.desc(), Handover.id.desc())).first()
              for room in db.exec(select(Room).where(Room.project_id == world.p1.id)).all()}
    status = soup(client.get(f"/projects/{world.p1.id}/rooms")).select_one(f"#rooms-status-{world.p1.id}")
    shown = {int(li.select_one("a")["href"].rsplit("/", 1)[1]): int(li.select("a")[1]["href"].rsplit("/", 1)[1])
             for li in status.select("li.room-status")}
    assert shown == newest


def test_an_amendment_left_without_a_note_keeps_the_note_counted(login_as, world, db, sample_room):
    from app.handovers.models import HandoverLine

    handover = _damaged_cup(login_as, world, db, sample_room)
    response = login_as("supervisor").post_form(f"/handovers/{handover.id}/amend", {
        "line_key": "i2", "status": "damaged", "found": "3", "note": "", "reason": "复核:只剩 3 个"})
    assert response.status_code == 302
    db.expire_all()
    cup = db.exec(select(HandoverLine).where(HandoverLine.handover_id == handover.id,
                                             HandoverLine.item_key == "i2")).one()
    assert (cup.found, cup.note) == (3, "杯口有裂纹")
