"""Register test helpers: the post of a project, a local wall-clock value as a form sends it, outbox sends."""
from datetime import datetime
from zoneinfo import ZoneInfo

from app.accounts.models import User
from app.core.db import get_session
from tests.handovers.helpers import BLANK, SIGNATURE, post  # noqa: F401  (inked and blank pads; one API post)
from tests.shifts.helpers import send  # noqa: F401  (one record through the exactly-once path)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def wall(moment: datetime) -> str:
    """A moment as a datetime-local field holds it, on the post's clock ("2026-11-28T21:30")."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def person(user: User) -> User:
    """The user in the app context's session (the services and the outbox take it from there)."""
    return get_session().get(User, user.id)


VISIT = {"visitor_name": "陈先生", "id_number": "420106199001011234", "visiting": "3栋2单元1201", "reason": "送件",
         "plate": "鄂a12345"}
FOUND = {"description": "黑色双肩包", "found_place": "洽谈区", "kept_where": "岗亭"}
GIFT = {"giver": "客户周先生", "item": "月饼一盒", "value": "200", "handed_to": "孙主管"}
