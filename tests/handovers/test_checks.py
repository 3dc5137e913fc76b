"""Opening and closing checks on the starter templates; closing ends with the keys signed for by a guard."""
from sqlmodel import select

from app.checklists.services import import_starters
from app.core.db import utcnow
from app.core.photos import Photo
from app.handovers.models import RoomCheck
from app.repairs.models import Ticket
from tests import images
from tests.handovers.helpers import BLANK, SIGNATURE, post
from tests.html import soup


def _starters(app, world):
    with app.app_context():
        from app.core.db import get_session

        versions = import_starters(get_session(), organisation_id=world.org_a.id)
        return {v.definition["purpose"]: v for v in versions if v.definition["purpose"] in ("opening", "closing")}


def _record(world, room, version, answers: dict, **extra) -> dict:
    data = {"room_id": str(room.id), "kind": version.definition["purpose"], "version_id": str(version.id), **extra}
    for section in version.definition["sections"]:
        for item in section["items"]:
            if item["type"] in ("pass_fail",):
                data[f"item-{item['key']}"] = answers.get(item["key"], "pass")
            elif item["type"] == "yes_no":
                data[f"item-{item['key']}"] = answers.get(item["key"], "yes")
            elif item["type"] == "choice":
                data[f"item-{item['key']}"] = answers.get(item["key"], item["options"][0])
            elif item["type"] == "number" and item["required"]:
                data[f"item-{item['key']}"] = answers.get(item["key"], "2")
    return {"kind": "room_check", "project_id": world.p1.id, "client_time": utcnow().isoformat(), "data": data}


def test_the_forms_render_the_starter_templates(app, login_as, world, sample_room):
    _starters(app, world)
    client = login_as("attendant")
    opening = soup(client.get(f"/rooms/{sample_room.id}/checks/opening"))
    assert opening.select_one("h1").get_text().startswith("开场检查")
    assert "按要求开启各装饰灯光" in opening.select_one("#checklist").get_text()
    closing = soup(client.get(f"/rooms/{sample_room.id}/checks/closing"))
    assert [o.get_text() for o in closing.select("#key_guard_id option")][1:] == ["guard的名字"]
    assert closing.select_one("#sign-guard").has_attr("data-signature")
    assert client.get(f"/rooms/{sample_room.id}/checks/lunch").status_code == 404


def test_an_opening_check_with_a_broken_light_opens_a_ticket(app, login_as, world, db, sample_room):
    versions = _starters(app, world)
    record = _record(world, sample_room, versions["opening"], {"lights-on": "fail"}, **{"item-room-temp": "24"})
    response = post(login_as("attendant"), record, [("photo-lights-on", images.image())])
    assert response.status_code == 201, response.json
    check = db.get(RoomCheck, response.json["id"])
    assert check.kind == "opening" and check.failed == ["lights-on"] and check.answers["room-temp"] == 24
    [ticket] = db.exec(select(Ticket).where(Ticket.source == "handover")).all()
    assert "装饰灯光" in ticket.description and ticket.location == "样板间A"


def test_closing_hands_the_keys_to_a_guard_who_signs(app, login_as, world, db, sample_room):
    versions = _starters(app, world)
    client = login_as("attendant")
    guard = world.users["guard"]
    record = _record(world, sample_room, versions["closing"], {}, key_guard_id=str(guard.id))
    response = post(client, record, [("sign-guard", SIGNATURE)])
    assert response.status_code == 201, response.json
    check = db.get(RoomCheck, response.json["id"])
    assert check.key_guard_id == guard.id and check.keys_at is not None
    [signature] = db.exec(select(Photo).where(Photo.owner_type == "room_check_keys", Photo.owner_id == check.id)).all()
    assert signature.uploaded_by == guard.id
    page = soup(client.get(f"/checks/{check.id}"))
    assert "guard的名字" in page.select_one(".facts").get_text() and page.select_one("img.signature-image")


def test_closing_without_a_guard_or_signature_is_refused(app, login_as, world, db, sample_room):
    versions = _starters(app, world)
    client = login_as("attendant")
    for extra, files, message in (({"key_guard_id": str(world.users["attendant_b"].id)}, [("sign-guard", SIGNATURE)], "保安"),
                                  ({"key_guard_id": str(world.users["guard"].id)}, [], "缺少保安接收钥匙的签名"),
                                  ({"key_guard_id": str(world.users["guard"].id)}, [("sign-guard", BLANK)], "签名")):
        response = post(client, _record(world, sample_room, versions["closing"], {}, **extra), files)
        assert response.status_code == 422 and message in response.json["error"]["message"]
    assert db.exec(select(RoomCheck).where(RoomCheck.room_id == sample_room.id)).all() == []


def test_a_failed_item_without_its_photo_is_refused(app, login_as, world, db, sample_room):
    versions = _starters(app, world)
    record = _record(world, sample_room, versions["opening"], {"lights-on": "fail"})
    response = post(login_as("attendant"), record)
    assert response.status_code == 422 and "不合格时须拍照" in response.json["error"]["message"]


def test_the_keys_go_only_to_a_guard_of_this_project(app, login_as, world, db, sample_room):
    from tests import factories

    versions = _starters(app, world)
    guard_elsewhere = factories.user(db, world.org_a, "guard_p2", roles=[(world.p2, "guard")])
    record = _record(world, sample_room, versions["closing"], {}, key_guard_id=str(guard_elsewhere.id))
    response = post(login_as("attendant"), record, [("sign-guard", SIGNATURE)])
    assert response.status_code == 422 and response.json["error"]["fields"] == {"key_guard_id": "请选择保安"}
    assert db.exec(select(RoomCheck).where(RoomCheck.room_id == sample_room.id)).all() == []


def test_ids_no_database_can_hold_are_refused_not_a_server_error(app, login_as, world, db, sample_room):
    versions = _starters(app, world)
    client = login_as("attendant")
    for name in ("room_id", "version_id", "key_guard_id"):
        record = _record(world, sample_room, versions["closing"], {}, key_guard_id=str(world.users["guard"].id))
        record["data"][name] = "99999999999999999999"
        assert post(client, record, [("sign-guard", SIGNATURE)]).status_code == 422, name
