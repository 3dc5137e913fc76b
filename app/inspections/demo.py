"""Demo inspections: both score sheets imported, and last month's visits to both sites so the ranking has content."""
import io
from datetime import datetime, time, timedelta

from flask import current_app
from PIL import Image
from sqlmodel import Session, select

from app.accounts.models import User
from app.accounts.services import get_user, user_named
from app.checklists import services as checklists
from app.checklists.definition import iter_items
from app.core.db import zone
from app.core.photos import process
from app.core.storage import storage
from app.inspections import objections, rectification, services
from app.inspections.models import Inspection, Rectification
from app.projects.models import Organisation
from app.projects.services import project_named

# (site, failed items per sheet key → count, inspected on this day of last month)
VISITS = [
    ("江城壹号销售中心", {"sales-inspection": {"hall-floor": 2, "badge": 1},
                      "property-inspection": {"bar-ashtray": 1, "radio-earpiece": 1}}, 12),
    ("滨江花园", {"property-inspection": {"ext-bins": 2, "hall-floor": 1, "toilet-clean": 1}}, 18),
]


def _photo(seed: int):
    picture = Image.new("RGB", (640, 480), (180, 90 + seed * 20 % 120, 60))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    return process(out.getvalue(), max_bytes=current_app.config["PHOTO_MAX_BYTES"])


def seed(session: Session, org: Organisation, admin: User) -> None:
    """Idempotent: a site that already has an inspection is left alone."""
    versions = {v.definition["key"]: v for v in checklists.import_starters(session, organisation_id=org.id, actor=admin)}
    inspector = user_named(session, "inspector1")
    if inspector is None:
        return
    tz = zone()
    first = datetime.now(tz).date().replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1)
    for name, sheets, day in VISITS:
        project = project_named(session, org.id, name)
        if project is None or session.exec(select(Inspection.id).where(Inspection.project_id == project.id)).first():
            continue
        data, photos = {"marketing_rep": "周营销", "property_rep": "吴物业"}, {}
        for key, failed in sheets.items():
            version = versions[key]
            data[f"sheet-{version.template_id}"] = str(version.id)
            for _n, item in iter_items(version.definition):
                prefix = f"v{version.id}-"
                data[f"{prefix}item-{item['key']}"] = "fail" if item["key"] in failed else "pass"
                if item["key"] in failed:
                    data[f"{prefix}count-{item['key']}"] = str(failed[item["key"]])
                    data[f"{prefix}note-{item['key']}"] = "演示扣分"
                    photos[f"{prefix}photo-{item['key']}"] = [_photo(len(photos))]
        at = datetime.combine(last_month.replace(day=day), time(10), tzinfo=tz)
        inspection = services.create_inspection(session, storage=storage(), actor=inspector, project=project, data=data,
                                                photos_of=lambda field: photos.get(field, []), inspected_at=at,
                                                photo_prefix=f"inspections/{project.id}/demo-{at:%Y%m}")
        session.commit()
        objections.settle(session, [inspection], at + timedelta(days=5))
        _rectified_but_one(session, inspection, inspector, at + timedelta(days=3))


def _rectified_but_one(session: Session, inspection: Inspection, inspector: User, at: datetime) -> None:
    """The site fixed and the inspector verified all but one problem: one is left for the next visit to check."""
    items = session.exec(select(Rectification).where(Rectification.inspection_id == inspection.id)
                         .order_by(Rectification.id)).all()
    for n, item in enumerate(items[1:]):
        owner = get_user(session, item.owner_id) if item.owner_id else inspector
        rectification.close_rectification(session, storage=storage(), actor=owner, item=item, note="已整改",
                                          photos=[_photo(n)], now=at)
        rectification.verify_rectification(session, actor=inspector, item=item, accept=True,
                                           now=at + timedelta(hours=2))
