"""The rules of a filled checklist, for the phone: the same definition and the same messages the server
checks with (`services.check_answers`), so a guard with no signal is told what the server would say.

`phone_rules(definition)` is embedded in the form's page as JSON; `static/js/rules.js` applies it. The
messages are the server's own translated strings with their %(name)s placeholders written {name}.
"""
import re

from flask_babel import gettext

NUMBER_PATTERN = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"  # after NFKC and removing spaces
NUMBER = re.compile(NUMBER_PATTERN)
ITEM_FIELDS = ("key", "label", "type", "required", "photo_when_failed", "options", "min", "max", "na_allowed")


def _template(msgid: str) -> str:
    """A message as gettext translates it, with %(name)d / %(name)s turned into {name} for the script."""
    return re.sub(r"%\((\w+)\)[ds]", r"{\1}", gettext(msgid))


def messages() -> dict[str, str]:
    """The messages of `check_answers`, by the codes the script uses."""
    return {
        "photo": _template("须拍照。"), "signature": _template("须签名。"), "required": _template("须填写。"),
        "pass_fail": _template("须选择合格、不合格或不适用。"), "yes_no": _template("须选择是或否。"),
        "fail_photo": _template("不合格时须拍照。"), "number": _template("须为数字。"),
        "choice": _template("须从选项中选择。"), "too_long": _template("不能超过 %(n)d 字。"),
        "item": _template("第 %(n)d 项“%(label)s”%(problem)s"), "more": _template(" 另有 %(n)d 项须修改。"),
    }


def phone_rules(definition: dict) -> dict:
    """What the phone needs to check a checklist of this definition before queueing it."""
    from app.checklists.definition import iter_items
    from app.checklists.services import ANSWERS, MAX_TEXT_ANSWER

    return {"items": [{name: item.get(name) for name in ITEM_FIELDS} | {"number": number}
                      for number, item in iter_items(definition)],
            "answers": {kind: list(values) for kind, values in ANSWERS.items()},
            "max_text": MAX_TEXT_ANSWER, "number_pattern": NUMBER_PATTERN, "messages": messages()}
