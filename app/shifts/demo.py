"""Demo data for the sales centre: posts, the two shifts of seed 001, and a water-bar catalogue."""
from sqlmodel import Session

from app.accounts.models import User
from app.projects.models import Project
from app.shifts import services, water

POSTS = ["水吧", "接待", "样板间A", "样板间B", "车场", "迎宾"]
PATTERNS = [("早班", "08:00", "17:00"), ("中班", "09:30", "17:30")]
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
