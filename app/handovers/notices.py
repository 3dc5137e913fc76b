"""The notifications the sample rooms raise, rendered in the reader's language."""
from flask_babel import gettext as _

from app.core.notifications import event
from app.handovers.models import CHECK_LABELS, STATUS_LABELS


def _discrepancies(p: dict) -> str:
    items = "、".join(f"{name}({STATUS_LABELS[status]})" for name, status in p["items"])
    return _("%(room)s交接:%(items)s", room=p["room"], items=items)


# A handover locked (or amended) with items missing or damaged: {room, items: [[name, status code], …]}.
DISCREPANCIES = event("handovers.discrepancies", _discrepancies)


def _check_failed(p: dict) -> str:
    return _("%(room)s%(kind)s发现不合格:%(items)s", room=p["room"], kind=CHECK_LABELS[p["kind"]],
             items="、".join(p["items"]))


# An opening or closing check with failed items, ticket or not: {room, kind (opening|closing), items: [labels]}.
CHECK_FAILED = event("handovers.check_failed", _check_failed)
