"""Small checks of form input shared by the capabilities; each raises a `Refusal` (or the caller's subclass)."""
import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from app.core.refusal import Refusal

# A phone number as people type it: digits, spaces and dashes, an optional leading +.
PHONE = re.compile(r"\+?[0-9][0-9 -]{5,19}")


def required_text(value, label: str, limit: int = 120, error: type[Refusal] = Refusal) -> str:
    """The stripped text, or `error` saying it is missing or too long."""
    value = (value or "").strip()
    if not value:
        raise error(_("请填写%(label)s。", label=label))
    if len(value) > limit:
        raise error(_("%(label)s不能超过 %(n)d 字。", label=label, n=limit))
    return value


def whole(value, label: str, low: int, high: int, field: str | None = None, error: type[Refusal] = Refusal) -> int:
    """A whole number between `low` and `high`, or `error` naming the label (and the field, when given)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise error(_("%(label)s须为整数。", label=label), {field: _("须为整数")} if field else None) from None
    if not low <= number <= high:
        raise error(_("%(label)s须在 %(low)d 到 %(high)d 之间。", label=label, low=low, high=high),
                    {field: _("超出范围")} if field else None)
    return number


def clock(value, label: str, example: str = "08:00", error: type[Refusal] = Refusal) -> time:
    """A wall-clock time typed as HH:MM, or `error` showing an example."""
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError:
        raise error(_("%(label)s须为 时:分,如 %(example)s。", label=label, example=example)) from None


def wall_moment(value, label: str, field: str, *, tz: ZoneInfo, error: type[Refusal] = Refusal) -> datetime | None:
    """A datetime-local input ("2026-12-01T21:30", on the wall clock of `tz`) as a UTC moment; None when empty,
    `error` naming the label and the field when unreadable."""
    value = str(value or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise error(_("%(label)s格式不对。", label=label), {field: _("格式不对")}) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(ZoneInfo("UTC"))


def needs(rules: list[dict], values: dict, error: type[Refusal] = Refusal) -> None:
    """Refuse the first rule whose field is empty (no text once stripped, no photo, nothing chosen).

    `rules` are {"field", "message", "problem"} in the order the server checks; the page embeds the same list for
    the phone (`static/js/rules.js` checkNeeds), so both refuse with the same words.
    """
    for rule in rules:
        value = values.get(rule["field"])
        if not (value.strip() if isinstance(value, str) else value):
            raise error(rule["message"], {rule["field"]: rule["problem"]})


def phone_message(msgid: str) -> str:
    """A message as gettext translates it, with %(name)d / %(name)s turned into {name} for the phone's script."""
    return re.sub(r"%\((\w+)\)[ds]", r"{\1}", _(msgid))
