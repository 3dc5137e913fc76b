"""The notifications complaints raise, registered once; each reads in the recipient's language when shown."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.notifications import event

ASSIGNED = event("complaints.assigned", lambda p: _("投诉 %(number)s 已转交您的部门:%(text)s", **p))
REPLIED = event("complaints.replied", lambda p: _("投诉 %(number)s 已答复投诉人,请安排回访。", **p))
REPROCESS = event("complaints.reprocess", lambda p: _("投诉 %(number)s 回访不满意,需再处理。", **p))
CLOSED = event("complaints.closed", lambda p: _("您受理的投诉 %(number)s 已关闭。", **p))
LEVEL_LABELS = {1: _l("班组"), 2: _l("主管"), 3: _l("经理")}
WHAT_LABELS = {"reply": _l("首次答复"), "resolve": _l("处理")}
ESCALATED = event("complaints.escalated", lambda p: _(
    "投诉 %(number)s 已超过%(what)s期限,升级至%(level)s。", number=p["number"], what=str(WHAT_LABELS[p["what"]]),
    level=str(LEVEL_LABELS[p["level"]])))
