"""The demo has two sample rooms with real inventories, the opening/closing templates, and who is needed."""
from sqlmodel import select

from app.accounts.models import Membership, User
from app.checklists.models import ChecklistTemplate
from app.handovers.models import InventoryVersion, Room
from app.projects.models import Project


def test_the_demo_sample_rooms(app, db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # twice changes nothing
    project = db.exec(select(Project).where(Project.name == "江城壹号销售中心")).one()
    rooms = db.exec(select(Room).where(Room.project_id == project.id).order_by(Room.name)).all()
    assert [r.name for r in rooms] == ["样板间A", "样板间B"]
    for room in rooms:
        version = db.get(InventoryVersion, room.current_version_id)
        items = version.items
        assert 15 <= len(items) <= 25 and {i["category"] for i in items} >= {"灯具", "家私", "餐具", "寝具", "饰品", "电器"}
        # the real inventory is version 1: no empty version published before it
        assert version.number == 1
        assert len(db.exec(select(InventoryVersion).where(InventoryVersion.room_id == room.id)).all()) == 1
    assert {t.purpose for t in db.exec(select(ChecklistTemplate)).all()} >= {"opening", "closing"}
    roles = set(db.exec(select(User.username, Membership.role).join(Membership, Membership.user_id == User.id)
                        .where(Membership.project_id == project.id)).all())
    assert {("attendant1", "attendant"), ("attendant2", "attendant"), ("guard1", "guard")} <= roles
