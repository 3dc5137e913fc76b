"""The registers' notification events, in the reader's language."""
from flask_babel import gettext as _

from app.core.notifications import event

GIFT_HANDED_IN = event("registers.gift_handed_in", lambda p: _(
    "礼品上缴(%(post)s):%(giver)s 赠送的 %(item)s,已交 %(handed_to)s。登记人:%(by)s", **p))
KEY_OVERDUE = event("registers.key_overdue", lambda p: _(
    "钥匙逾期未还(%(post)s):%(key)s,借用人 %(borrower)s,应于 %(due)s 归还。", **p))
