"""Demo units and owners: every flat of a few buildings of each demo project, one or two owners each."""
from sqlmodel import Session, select

from app.frontdesk.models import Occupant, Unit
from app.frontdesk.units import Parts
from app.projects.models import Project

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
LAYOUT = {"滨江花园": (6, 2, 18, 2), "江城壹号销售中心": (3, 2, 18, 2)}  # buildings, 单元 each, floors, flats a floor


def _flats(buildings: int, units: int, floors: int, per_floor: int):
    for b in range(1, buildings + 1):
        for u in range(1, units + 1):
            for floor in range(1, floors + 1):
                for flat in range(1, per_floor + 1):
                    yield Parts(str(b), str(u), f"{floor}{flat:02d}")


def seed(session: Session, projects: dict[str, Project]) -> None:
    """Add the units of each demo project that has none yet (running it twice changes nothing)."""
    for name, layout in LAYOUT.items():
        project = projects[name]
        if session.exec(select(Unit.id).where(Unit.project_id == project.id)).first():
            continue
        rows = [Unit(project_id=project.id, building=p.building, unit_no=p.unit_no, room=p.room, label=p.label,
                     key=p.key) for p in _flats(*layout)]
        session.add_all(rows)
        session.flush()
        people = []
        for i, unit in enumerate(rows):
            surname = SURNAMES[(i * 7 + project.id) % len(SURNAMES)]
            phone = f"139{(project.id * 37 + i * 7919) % 100_000_000:08d}"
            people.append(Occupant(unit_id=unit.id, project_id=project.id, name=f"{surname}先生", phone=phone))
            if i % 3 == 0:  # a second owner in one flat of three
                phone = f"137{(project.id * 53 + i * 6007) % 100_000_000:08d}"
                people.append(Occupant(unit_id=unit.id, project_id=project.id, name=f"{surname}太太", phone=phone, position=1))
        session.add_all(people)
    session.commit()
