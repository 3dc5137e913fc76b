"""Demo sample rooms: 样板间A and 样板间B of the sales centre, each with a realistic inventory (样板间物品清单), and
last evening's handover of 样板间A, which found a vase missing: the supervisor's home shows it the next morning."""
from datetime import datetime, time, timedelta

from sqlmodel import Session, select

from app.accounts.models import User
from app.accounts.services import user_named
from app.checklists import services as checklists
from app.core.db import utcnow, zone
from app.handovers import inventory
from app.handovers.models import Handover, HandoverLine, Room
from app.projects.models import Project
from app.projects.services import area_named

# (name, category, quantity, location)
INVENTORIES = {
    "样板间A": [
        ("水晶吊灯", "灯具", 1, "客厅顶部"), ("落地灯", "灯具", 1, "客厅沙发右侧"), ("床头台灯", "灯具", 2, "主卧床头柜"),
        ("三人位布艺沙发", "家私", 1, "客厅"), ("大理石茶几", "家私", 1, "客厅中央"), ("实木餐桌", "家私", 1, "餐厅"),
        ("餐椅", "家私", 6, "餐厅餐桌四周"), ("双人床", "家私", 1, "主卧"), ("骨瓷餐盘", "餐具", 6, "餐桌"),
        ("高脚红酒杯", "餐具", 6, "餐桌"), ("银质刀叉套装", "餐具", 6, "餐桌"), ("餐巾环", "餐具", 6, "餐桌"),
        ("真丝床品四件套", "寝具", 1, "主卧床上"), ("装饰抱枕", "寝具", 4, "主卧床头"), ("羊毛地毯", "饰品", 1, "客厅茶几下"),
        ("装饰画", "饰品", 3, "客厅及走廊墙面"), ("陶瓷花瓶", "饰品", 2, "玄关柜、餐桌"), ("仿真绿植", "饰品", 2, "客厅角落"),
        ("液晶电视", "电器", 1, "客厅电视墙"), ("蓝牙音箱", "电器", 1, "客厅电视柜"),
    ],
    "样板间B": [
        ("吸顶灯", "灯具", 3, "客厅、次卧、书房"), ("壁灯", "灯具", 2, "主卧床头两侧"), ("L 型皮沙发", "家私", 1, "客厅"),
        ("书桌", "家私", 1, "书房"), ("书椅", "家私", 1, "书房"), ("儿童床", "家私", 1, "次卧"), ("衣柜", "家私", 2, "主卧、次卧"),
        ("咖啡杯碟", "餐具", 4, "岛台"), ("玻璃水杯", "餐具", 4, "岛台"), ("儿童床品三件套", "寝具", 1, "次卧床上"),
        ("羽绒被", "寝具", 1, "主卧床上"), ("毛绒玩偶", "饰品", 3, "次卧床上"), ("装饰书籍", "饰品", 12, "书房书架"),
        ("艺术摆件", "饰品", 2, "客厅电视柜"), ("挂钟", "饰品", 1, "餐厅墙面"), ("咖啡机", "电器", 1, "厨房台面"),
        ("冰箱", "电器", 1, "厨房"), ("扫地机器人", "电器", 1, "客厅角落"),
    ],
}


def seed(session: Session, org, project: Project, admin: User) -> None:
    """Make the two sample rooms and their inventories if missing; import the opening/closing templates."""
    checklists.import_starters(session, organisation_id=org.id, actor=admin)
    for room_name, items in INVENTORIES.items():
        area = area_named(session, project.id, room_name)
        if area is None or session.exec(select(Room.id).where(Room.area_id == area.id)).first():
            continue
        listed = [{"key": f"i{n}", "name": name, "category": category, "quantity": quantity, "location": location,
                   "photo_id": None} for n, (name, category, quantity, location) in enumerate(items, start=1)]
        # The inventory is the room's first version: no empty version 1 before it.
        inventory.create_room(session, actor=admin, project=project, area_id=area.id, items=listed)

    _last_evening_handover(session, project)


MISSING = "陶瓷花瓶"  # one of the two went missing during the day shift


def _last_evening_handover(session: Session, project: Project) -> None:
    """样板间A's handover of yesterday 17:30, signed by both attendants, one vase missing; only if the room has none."""
    area = area_named(session, project.id, "样板间A")
    room = session.exec(select(Room).where(Room.area_id == area.id)).first() if area else None
    outgoing, incoming = user_named(session, "attendant1"), user_named(session, "attendant2")
    if room is None or outgoing is None or incoming is None or \
            session.exec(select(Handover.id).where(Handover.room_id == room.id)).first():
        return
    yesterday = utcnow().astimezone(zone()).date() - timedelta(days=1)
    counted = datetime.combine(yesterday, time(17, 30), tzinfo=zone())
    version = inventory.version_of(session, room)
    handover = Handover(project_id=project.id, room_id=room.id, version_id=version.id, state="locked", counted_at=counted,
                        received_at=counted, outgoing_id=outgoing.id, outgoing_signed_at=counted,
                        incoming_id=incoming.id, incoming_signed_at=counted, locked_at=counted, discrepancies=1)
    session.add(handover)
    session.flush()
    for position, item in enumerate(version.items, start=1):
        found = item["quantity"] - (1 if item["name"] == MISSING else 0)
        session.add(HandoverLine(handover_id=handover.id, position=position, item_key=item["key"], name=item["name"],
                                 category=item["category"], location=item["location"], expected=item["quantity"],
                                 found=found, status="present" if found == item["quantity"] else "missing",
                                 note="" if found == item["quantity"] else "玄关柜上只剩一只"))
    session.commit()
