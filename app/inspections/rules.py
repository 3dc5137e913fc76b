"""The rules of a score sheet, for the phone: each item's limits (N/A allowed, how many occurrences) and the
server's own messages (`scoring.check_answer`, `services._read_sheet`), embedded in the sheet so an inspector
with no signal is told what the server would say. `static/js/rules.js` (checkSheet) applies it. Items scored
from last time's open rectifications are filled in by the server, not checked here.
"""
from app.checklists.definition import format_points, iter_items
from app.core.validation import phone_message
from app.inspections.scoring import max_count


def messages() -> dict[str, str]:
    """The messages of `check_answer` and `_read_sheet`, by the codes the script uses."""
    return {
        "result": phone_message("须选择合格、不合格或不适用。"), "na": phone_message("本项不能选“不适用”。"),
        "count": phone_message("扣分次数须至少为 1。"), "most": phone_message("本项最多扣 %(points)s 分,最多记 %(n)d 处。"),
        "photo": phone_message("扣分须拍照取证。"), "item": phone_message("第 %(n)d 项“%(label)s”%(problem)s"),
        "more": phone_message(" 另有 %(n)d 项须修改。"),
    }


def phone_rules(definition: dict) -> dict:
    """What the phone needs to check one sheet of this definition before the visit is queued."""
    return {"prefix": f"{definition['name']}:", "messages": messages(),  # as create_inspection names the sheet
            "items": [{"key": item["key"], "label": item["label"], "number": number,
                       "repeatable": bool(item.get("repeatable")), "na_allowed": item.get("na_allowed", True),
                       "max_count": max_count(item), "points": format_points(item["points"])}
                      for number, item in iter_items(definition) if not item.get("last_time")]}
