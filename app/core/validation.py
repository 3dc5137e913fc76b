"""Small checks of form input shared by the capabilities; each raises the caller's own error type."""
from flask_babel import gettext as _


def required_text(value, label: str, limit: int = 120, error: type[Exception] = ValueError) -> str:
    """The stripped text, or `error` saying it is missing or too long."""
    value = (value or "").strip()
    if not value:
        raise error(_("请填写%(label)s。", label=label))
    if len(value) > limit:
        raise error(_("%(label)s不能超过 %(n)d 字。", label=label, n=limit))
    return value
