"""The notifications rounds raise, rendered in the reader's language."""
from datetime import datetime

from flask_babel import format_datetime, ngettext

from app.core.notifications import event


def _missed(p: dict) -> str:
    when = format_datetime(datetime.fromisoformat(p["slot"]), "MM-dd HH:mm")
    return ngettext("漏巡:%(route)s %(when)s 的一轮无人巡逻", "漏巡 %(num)d 轮,最早一轮:%(route)s %(when)s",
                    p["count"], route=p["route"], when=when)


def _failed(p: dict) -> str:
    return ngettext("%(route)s · %(place)s 发现 %(num)d 项不合格:%(items)s",
                    "%(route)s · %(place)s 发现 %(num)d 项不合格:%(items)s",
                    len(p["items"]), route=p["route"], place=p["place"], items="、".join(p["items"]))


# Rounds of a project nobody walked, told once per batch: {count, route, slot (UTC ISO)}.
MISSED = event("patrols.missed", _missed)
# A checkpoint's checklist with failed items, ticket or not: {route, place, items: [item labels]}.
FAILED = event("patrols.failed", _failed)
