"""The rules of a handover count, for the phone: the server's own messages (`services.parse_count`,
`check_counts`) and the same lists of what must be chosen and signed, embedded in the handover form so an
attendant with no signal is told what the server would say. `static/js/rules.js` (checkHandover) applies it.
Whether the incoming attendant's password is right stays the server's to say (that one is typed is checked here).
"""
from app.core.validation import phone_message
from app.handovers.models import LINE_STATUSES, NEEDS_PHOTO
from app.handovers.services import MAX_LINE_NOTE, incoming_needs, signature_needs


def messages() -> dict[str, str]:
    """The messages of `parse_count` and `check_counts`, by the codes the script uses."""
    return {
        "status": phone_message("请选择齐全、缺失、损坏或移位。"), "whole": phone_message("清点数量须为整数。"),
        "negative": phone_message("清点数量不能为负数。"),
        "above": phone_message("清点数量 %(found)d 超过清单数量 %(qty)d。"),
        "present": phone_message("“齐全”时数量须为 %(qty)d;少了请选“缺失”。"),
        "missing": phone_message("“缺失”时清点数量须少于 %(qty)d。"), "photo": phone_message("缺失或损坏须拍照。"),
        "note": phone_message("备注不能超过 %(n)d 字。"), "item": phone_message("第 %(n)d 项“%(name)s”:%(problem)s"),
        "more": phone_message(" 另有 %(n)d 项须修改。"),
    }


def phone_rules(items: list[dict]) -> dict:
    """What the phone needs to check a handover of these inventory items before queueing it."""
    return {"items": [{"key": item["key"], "name": item["name"], "quantity": item["quantity"]} for item in items],
            "statuses": list(LINE_STATUSES), "needs_photo": list(NEEDS_PHOTO), "max_note": MAX_LINE_NOTE,
            "incoming": incoming_needs(), "signatures": signature_needs(), "messages": messages()}
