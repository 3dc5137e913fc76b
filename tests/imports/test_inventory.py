"""A sample room's inventory from a workbook: 120 items, errors by line and column, photos kept, round trip."""
import pytest

from app.core.db import get_session
from app.handovers import inventory
from app.handovers.models import Room
from app.imports import services, workbooks
from app.imports.reading import ImportRefused
from tests.imports.helpers import INVENTORY_HEADER, xlsx

KIND = services.kind_of("inventory")


def _run(world, raw, room, apply=False, who="supervisor"):
    call = services.apply if apply else services.preview
    project = world.p1 if room.project_id == world.p1.id else world.p2
    return call(get_session(), kind=KIND, actor=world.users[who], project=project, raw=raw, filename="list.xlsx",
                options={"room_id": str(room.id)})


def _items(room):
    db = get_session()
    db.expire_all()
    return inventory.items_of(db, db.get(Room, room.id))


def test_a_supervisor_imports_a_120_item_inventory(ctx, room_world):
    room = room_world.rooms["p1"]
    rows = [INVENTORY_HEADER] + [[["灯具", "家具", "餐具", "寝具"][n % 4], f"物品{n}", n % 5 + 1, "客厅"]
                                 for n in range(120)]
    plan = _run(room_world, xlsx(rows), room)
    assert plan.count("created") == 120 and not plan.refused and _items(room) == []
    _plan, outcome = _run(room_world, xlsx(rows), room, apply=True)
    assert outcome.message == "已导入 120 件物品到“A户型样板间”。"
    items = _items(room)
    assert len(items) == 120 and len({i["key"] for i in items}) == 120
    assert items[1] == {"key": "i2", "photo_id": None, "name": "物品1", "category": "家私", "quantity": 2,
                        "location": "客厅"}  # 家具 is read as the inventory's 家私


@pytest.mark.parametrize("quantity", ["0", "两个", "1.5", "-3"])
def test_a_quantity_that_is_not_a_positive_whole_number_is_named_by_cell(ctx, room_world, quantity):
    rows = [INVENTORY_HEADER] + [["灯具", f"灯{n}", 1, ""] for n in range(5)] + [["饰品", "花瓶", quantity, ""]]
    plan = _run(room_world, xlsx(rows), room_world.rooms["p1"])
    assert [line.reason for line in plan.refused] == ["第 7 行 C 列:数量须为正整数"]


def test_an_unknown_category_lists_the_ones_there_are(ctx, room_world):
    plan = _run(room_world, xlsx([INVENTORY_HEADER, ["玩具", "积木", 1, ""]]), room_world.rooms["p1"])
    assert plan.refused[0].reason == "第 2 行 A 列:类别须为灯具、家私、餐具、寝具、饰品、电器、其他之一"


def test_an_item_already_listed_is_updated_keeping_its_key_and_photo(ctx, room_world):
    room = room_world.rooms["p1"]
    _run(room_world, xlsx([INVENTORY_HEADER, ["灯具", "吊灯", 1, ""], ["餐具", "杯子", 4, ""]]), room, apply=True)
    db = get_session()
    items = _items(room)
    items[0]["photo_id"] = 77  # as if a reference photo had been added on the room's page
    inventory.publish(db, actor=room_world.users["supervisor"], room=db.get(Room, room.id), items=items)
    plan, _ = _run(room_world, xlsx([INVENTORY_HEADER, ["灯具", "吊灯", 2, "客厅"], ["餐具", "杯子", 4, ""],
                                     ["电器", "音箱", 1, ""]]), room, apply=True)
    assert [line.outcome for line in plan.lines] == ["updated", "unchanged", "created"]
    assert [(i["key"], i["name"], i["quantity"], i["photo_id"]) for i in _items(room)] == [
        ("i1", "吊灯", 2, 77), ("i2", "杯子", 4, None), ("i3", "音箱", 1, None)]


def test_without_a_room_the_import_is_refused(ctx, world):
    with pytest.raises(ImportRefused, match="还没有样板间"):
        services.preview(get_session(), kind=KIND, actor=world.users["supervisor"], project=world.p1,
                         raw=xlsx([INVENTORY_HEADER, ["灯具", "灯", 1, ""]]), options={})


def test_the_export_imports_into_another_project_s_room(ctx, room_world):
    source, target = room_world.rooms["p1"], room_world.rooms["p2"]
    _run(room_world, xlsx([INVENTORY_HEADER, ["灯具", "吊灯", 1, "客厅顶部"], ["寝具", "抱枕", 2, ""]]), source,
         apply=True)
    rows, title = KIND.export_rows(get_session(), project=room_world.p1, options={"room_id": source.id})
    assert title == "A户型样板间"
    _run(room_world, workbooks.workbook(KIND, rows, title), target, apply=True, who="admin")
    strip = [{k: v for k, v in i.items() if k != "key"} for i in _items(target)]
    assert strip == [{k: v for k, v in i.items() if k != "key"} for i in _items(source)]
