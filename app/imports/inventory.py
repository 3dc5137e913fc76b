"""A sample room's inventory: category, item, quantity and where it stands; reference photos are added afterwards
on the room's page. An item already on the list (same name) is updated, keeping its photo; others are added."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.handovers import inventory
from app.handovers.models import CATEGORIES
from app.imports import base
from app.imports.base import CellError, Column, Kind, Outcome, Plan
from app.imports.reading import ImportRefused

CATEGORY_WORDS = {"家具": "家私", "灯": "灯具", "家电": "电器", "床品": "寝具", "装饰": "饰品", "装饰品": "饰品",
                  "摆件": "饰品", "厨具": "餐具", "其它": "其他", **{c: c for c in CATEGORIES}}
COLUMNS = (
    Column("category", "类别", _l("灯具、家私、餐具、寝具、饰品、电器或其他。"), "家私", True, ("分类", "category"), 10),
    Column("name", "物品", _l("物品名称,同一样板间内不能重复;已有同名物品则更新它。"), "三人位布艺沙发", True,
           ("物品名称", "名称", "item", "name"), 24),
    Column("quantity", "数量", _l("正整数,1 到 %(n)d。", n=inventory.MAX_QUANTITY), "1", True, ("quantity", "件数"), 8),
    Column("location", "备注", _l("摆放位置或说明,可空,最多 120 字。"), "客厅靠窗", aliases=(
        "摆放位置", "位置", "说明", "note", "location"), width=24),
)


def room_of(session, project, options):
    """The room named by options["room_id"] (or the project's only room)."""
    rooms = inventory.rooms_of(session, project)
    wanted = str(options.get("room_id") or "")
    room = next((r for r in rooms if str(r.id) == wanted or r.name == wanted), None)
    if room is None and not wanted and len(rooms) == 1:
        room = rooms[0]
    if room is None:
        raise ImportRefused(_("请选择要导入清单的样板间。") if rooms else _("本项目还没有样板间,请先在“样板间”页添加。"),
                            {"room_id": _("请选择样板间")})
    return room


class Inventory(Kind):
    name, sheet, columns, exports = "inventory", "物品清单", COLUMNS, True
    label = _l("样板间物品清单")

    def plan(self, session, *, actor, project, table, options):
        room = room_of(session, project, options)
        plan = Plan(self.name, target=room.name)
        found = base.match_columns(table, self.columns, plan)
        existing = {i["name"]: i for i in inventory.items_of(session, room)}
        seen, rows = {}, []
        for cells in base.each_row(table, found, self.columns):
            try:
                category = CATEGORY_WORDS.get(cells.text("category", required=True))
                if category is None:
                    cells.fail("category", _("类别须为%(list)s之一", list="、".join(CATEGORIES)))
                row = {"category": category, "name": cells.text("name", 120, required=True),
                       "quantity": cells.number("quantity", 1, inventory.MAX_QUANTITY, whole=True, required=True),
                       "location": cells.text("location", 120)}
                cells.once("name", row["name"], seen)
            except CellError as exc:
                plan.add(cells.line, base.REFUSED, cells.raw("name"), exc.message)
                continue
            seen[row["name"]] = cells.line
            old = existing.get(row["name"])
            same = old is not None and all(old.get(k) == row[k] for k in ("category", "quantity", "location"))
            label = f"{row['category']} · {row['name']} × {row['quantity']}"
            plan.add(cells.line, base.CREATED if old is None else base.UNCHANGED if same else base.UPDATED, label)
            rows.append(row)
        plan.data = (room, rows)
        return plan

    def apply(self, session, *, actor, project, plan):
        room, rows = plan.data
        inventory.merge_items(session, actor=actor, room=room, rows=rows)
        return Outcome(_("已导入 %(n)d 件物品到“%(room)s”。", n=len(rows), room=room.name))

    def export_rows(self, session, *, project, options):
        room = room_of(session, project, options)
        rows = [[i["category"], i["name"], i["quantity"], i.get("location", "")] for i in inventory.items_of(session, room)]
        return rows, room.name


base.register(Inventory())
