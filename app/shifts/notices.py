"""The shifts' notification events: what the bell says about restock requests, in the reader's language."""
from flask_babel import gettext as _

from app.core.notifications import event

RESTOCK_REQUESTED = event("shifts.restock_requested", lambda p: _(
    "补货申请:%(item)s 账面库存 %(stock)d %(unit)s,低于最低库存 %(min)d %(unit)s。", **p))
RESTOCK_APPROVED = event("shifts.restock_approved", lambda p: _("补货申请已批准:%(item)s。", **p))
RESTOCK_DECLINED = event("shifts.restock_declined", lambda p: _("补货申请未批准:%(item)s。原因:%(reason)s", **p))
HANDOVER_DIFFERS = event("shifts.handover_differs", lambda p: _(
    "%(post)s 交接班有差异(%(who)s 接班):%(note)s", **p))
