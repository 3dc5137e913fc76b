"""The notifications repairs raises, registered once; each reads in the recipient's language when shown."""
from flask_babel import gettext as _

from app.core.notifications import event

DISPATCHED = event("repairs.dispatched", lambda p: _("新派单 %(number)s:%(text)s", **p))
RETURNED = event("repairs.returned", lambda p: _("工单 %(number)s 被退回:%(reason)s", **p))
LATE = event("repairs.late", lambda p: _("工单 %(number)s:工程人员无法及时赶到(%(reason)s),请及时回复报修人。", **p))
REOPENED = event("repairs.reopened", lambda p: _("工单 %(number)s 回访不满意,已重开。", **p))
OVERDUE = {  # by what the ticket's clock waits for
    "dispatch": event("repairs.overdue_dispatch", lambda p: _("工单 %(number)s 超时未派单", **p)),
    "completion": event("repairs.overdue_completion", lambda p: _("工单 %(number)s 已超过完成期限", **p)),
}
OVERDUE_MANY = {  # many at once (app/repairs/jobs.py)
    "dispatch": event("repairs.overdue_dispatch.many", lambda p: _("%(count)d 张工单超时未派单", **p)),
    "completion": event("repairs.overdue_completion.many", lambda p: _("%(count)d 张工单已超过完成期限", **p)),
}
