"""The notifications incidents raise, registered once; each reads in the recipient's language when shown."""
from flask_babel import gettext as _

from app.core.notifications import event
from app.incidents.labels import KIND_LABELS


def _kind(p: dict) -> str:
    return str(KIND_LABELS.get(p.get("kind"), p.get("kind", "")))


SERIOUS = event("incidents.serious", lambda p: _("严重特殊事件 %(number)s:%(kind)s · %(place)s", number=p["number"],
                                                 kind=_kind(p), place=p["place"]))
CRITICAL = event("incidents.critical", lambda p: _("紧急特殊事件 %(number)s:%(kind)s · %(place)s,请立即处理。",
                                                   number=p["number"], kind=_kind(p), place=p["place"]))
CLOSED = event("incidents.closed", lambda p: _("您上报的特殊事件 %(number)s 已关闭。", **p))
