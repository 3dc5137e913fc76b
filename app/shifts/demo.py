"""Demo data: the sales centre's posts, the two shifts of seed 001 and a water-bar catalogue; the estate's guard
posts on 12-hour day and night shifts (12小时工作制, seed 000) with the equipment they hand over."""
from sqlmodel import Session

from app.accounts.models import User
from app.projects.models import Project
from app.shifts import duty, services, water

POSTS = ["水吧", "接待", "样板间A", "样板间B", "车场", "迎宾"]
PATTERNS = [("早班", "08:00", "17:00"), ("中班", "09:30", "17:30")]
# The estate: name, kind, manned round the clock, equipment handed from shift to shift.
GUARD_POSTS = [
    ("大堂岗", "lobby", True, "对讲机 1\n大堂门钥匙 2\n手电筒 1"),
    ("监控岗", "monitoring", True, "对讲机 1\n监控室钥匙 1"),
    ("车场岗", "car_park", False, "对讲机 1\n道闸遥控器 1"),
    ("巡逻岗", "patrol", False, "对讲机 1\n手电筒 1"),
]
GUARD_PATTERNS = [("白班", "08:00", "20:00"), ("夜班", "20:00", "08:00")]
ITEMS = [  # name, unit, minimum, opening stock
    ("矿泉水", "瓶", 24, 96), ("咖啡豆", "包", 2, 3), ("茶包", "盒", 3, 10), ("纸杯", "个", 100, 500),
    ("鞋套", "双", 50, 300), ("饼干", "盒", 4, 12), ("糖果", "袋", 2, 6),
]


def seed(session: Session, project: Project, admin: User) -> None:
    """Create what is missing; a second run changes nothing."""
    posts = {p.name for p in services.posts_of(session, project)}
    for name in POSTS:
        if name not in posts:
            services.save_post(session, actor=admin, project=project, name=name)
    patterns = {p.name for p in services.patterns_of(session, project)}
    for name, start, end in PATTERNS:
        if name not in patterns:
            services.save_pattern(session, actor=admin, project=project, name=name, start=start, end=end)
    items = {i.name for i in water.items_of(session, project)}
    for name, unit, minimum, initial in ITEMS:
        if name not in items:
            water.save_item(session, actor=admin, project=project, name=name, unit=unit, min_stock=minimum,
                            initial_stock=initial)


def seed_estate(session: Session, project: Project, admin: User) -> None:
    """The estate's guard posts and its day and night shifts; create what is missing, a second run changes nothing."""
    posts = {p.name for p in services.posts_of(session, project)}
    for name, kind, manned, equipment in GUARD_POSTS:
        if name not in posts:
            post = services.save_post(session, actor=admin, project=project, name=name, kind=kind,
                                      always_manned=manned)
            duty.save_equipment(session, actor=admin, post=post, text=equipment)
    patterns = {p.name for p in services.patterns_of(session, project)}
    for name, start, end in GUARD_PATTERNS:
        if name not in patterns:
            services.save_pattern(session, actor=admin, project=project, name=name, start=start, end=end)
