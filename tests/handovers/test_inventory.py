"""The sample-room inventory: edited in place by supervisors, each change a new version, old ones untouched."""
import io

from sqlmodel import select

from app.core.photos import Photo
from app.handovers.models import InventoryVersion, Room
from tests import images
from tests.html import alert, soup


def _versions(db, room):
    db.expire_all()
    return db.exec(select(InventoryVersion).where(InventoryVersion.room_id == room.id)
                   .order_by(InventoryVersion.number)).all()


def test_a_supervisor_makes_an_area_a_sample_room_with_an_empty_first_version(login_as, world, db):
    area = world.areas["p1"]
    response = login_as("supervisor").post_form(f"/projects/{world.p1.id}/rooms", {"area_id": area.id})
    room = db.exec(select(Room).where(Room.area_id == area.id)).one()
    assert response.status_code == 302 and response.headers["Location"] == f"/rooms/{room.id}"
    assert room.name == area.name and [v.items for v in _versions(db, room)] == [[]]
    again = login_as("supervisor").post_form(f"/projects/{world.p1.id}/rooms", {"area_id": area.id})
    assert again.status_code == 422 and "已经是样板间" in alert(again)


def test_adding_editing_and_removing_items_publishes_versions_and_keeps_the_old_ones(login_as, world, db, sample_room):
    client = login_as("supervisor")
    added = client.post(f"/rooms/{sample_room.id}/items", headers={"HX-Request": "true"}, data={
        "csrf_token": client.csrf(), "name": "落地灯", "category": "灯具", "quantity": "2", "location": "客厅西角",
        "photo": (io.BytesIO(images.image()), "lamp.jpg")}, content_type="multipart/form-data")
    assert added.status_code == 200
    fragment = soup(added)
    assert fragment.select_one("section")["id"] == "inventory" and "第 2 版" in fragment.select_one("h2").get_text()
    assert "落地灯" in fragment.select_one("#item-i4").get_text()
    versions = _versions(db, sample_room)
    lamp = versions[-1].items[-1]
    assert lamp["key"] == "i4" and lamp["quantity"] == 2 and lamp["location"] == "客厅西角"
    photo = db.get(Photo, lamp["photo_id"])
    assert photo.owner_type == "room_item" and photo.project_id == world.p1.id

    edit_form = soup(client.get(f"/rooms/{sample_room.id}/items/i2/edit", headers={"HX-Request": "true"}))
    assert edit_form.select_one("li")["id"] == "item-i2" and edit_form.select_one('input[name="name"]')["value"] == "骨瓷咖啡杯"
    client.post_form(f"/rooms/{sample_room.id}/items/i2", {"name": "骨瓷咖啡杯", "category": "餐具", "quantity": "6",
                                                           "location": "餐桌"}, htmx=True)
    client.post_form(f"/rooms/{sample_room.id}/items/i1/delete", htmx=True)
    versions = _versions(db, sample_room)
    assert [v.number for v in versions] == [1, 2, 3, 4]
    assert [i["key"] for i in versions[0].items] == ["i1", "i2", "i3"]  # version 1 as it was
    assert versions[0].items[1]["quantity"] == 4 and versions[2].items[1]["quantity"] == 6
    assert [i["key"] for i in versions[3].items] == ["i2", "i3", "i4"]
    db.refresh(sample_room)
    assert sample_room.current_version_id == versions[3].id
    # a new item never takes the key of a removed one: old records keep pointing at the right item
    client.post_form(f"/rooms/{sample_room.id}/items", {"name": "花瓶", "category": "饰品", "quantity": "1"})
    assert _versions(db, sample_room)[-1].items[-1]["key"] == "i5"


def test_an_unchanged_item_publishes_no_version(login_as, db, sample_room):
    login_as("supervisor").post_form(f"/rooms/{sample_room.id}/items/i1", {
        "name": "水晶吊灯", "category": "灯具", "quantity": "1", "location": "客厅顶部"})
    assert len(_versions(db, sample_room)) == 1


def test_bad_items_are_refused_with_a_message_and_nothing_saved(login_as, db, sample_room):
    client = login_as("supervisor")
    for data, message in (({"name": "", "category": "灯具", "quantity": "1"}, "请填写物品名称"),
                          ({"name": "台灯", "category": "汽车", "quantity": "1"}, "请选择类别"),
                          ({"name": "台灯", "category": "灯具", "quantity": "0"}, "数量须在 1 到 999 之间"),
                          ({"name": "台灯", "category": "灯具", "quantity": "两个"}, "数量须为整数")):
        response = client.post_form(f"/rooms/{sample_room.id}/items", data, htmx=True)
        assert response.status_code == 422 and message in alert(response)
    bad_photo = client.post(f"/rooms/{sample_room.id}/items", data={
        "csrf_token": client.csrf(), "name": "台灯", "category": "灯具", "quantity": "1",
        "photo": (io.BytesIO(b"not a picture"), "x.jpg")}, content_type="multipart/form-data")
    assert bad_photo.status_code == 422 and "不是可识别的照片" in alert(bad_photo)
    assert len(_versions(db, sample_room)) == 1


def test_attendants_read_the_inventory_but_do_not_edit_it(login_as, db, sample_room):
    client = login_as("attendant")
    page = soup(client.get(f"/rooms/{sample_room.id}"))
    assert [li["id"] for li in page.select("#inventory li.inventory-item")] == ["item-i1", "item-i2", "item-i3"]
    assert page.select(".new-item") == [] and page.select("#item-i1 button") == []
    assert client.post_form(f"/rooms/{sample_room.id}/items", {"name": "x", "category": "灯具", "quantity": "1"}).status_code == 403
    assert client.get(f"/rooms/{sample_room.id}/items/i1/edit").status_code == 403
    assert len(_versions(db, sample_room)) == 1


def test_an_area_id_no_database_can_hold_is_refused_not_a_server_error(login_as, world, db):
    client = login_as("supervisor")
    for value in ("99999999999999999999", "²", "-1"):
        response = client.post_form(f"/projects/{world.p1.id}/rooms", {"area_id": value})
        assert response.status_code == 422 and "请选择本项目的区域" in alert(response)
    assert [r.id for r in db.exec(select(Room).where(Room.project_id == world.p1.id)).all()] == [world.rooms["p1"].id]
