"""How a moment, a quantity or a starter value is written, in one place per locale.

Templates write `{{ t|when }}` (date and time), `{{ t|when("date") }}`, `{{ t|when("time") }}`,
`{{ t|when("short") }}` (month, day and time, where the year is obvious) and `{{ value|quantity(unit) }}`.
One pattern per locale and style, so a page never shows 「2026年12月1日 16:26:32」 beside 「2026-12-01 16:26」.
"""
from datetime import date, datetime, time

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

# Chinese readers expect the ISO shape; English readers read "1 Dec 2026".
PATTERNS = {
    "zh": {"datetime": "yyyy-MM-dd HH:mm", "date": "yyyy-MM-dd", "short": "MM-dd HH:mm", "time": "HH:mm",
           "seconds": "HH:mm:ss"},
    "en": {"datetime": "d MMM yyyy HH:mm", "date": "d MMM yyyy", "short": "d MMM HH:mm", "time": "HH:mm",
           "seconds": "HH:mm:ss"},
}
# The patterns of digits only, as strftime writes them (locale-independent).
NUMERIC = {"yyyy-MM-dd HH:mm": "%Y-%m-%d %H:%M", "yyyy-MM-dd": "%Y-%m-%d", "MM-dd HH:mm": "%m-%d %H:%M",
           "HH:mm": "%H:%M", "HH:mm:ss": "%H:%M:%S"}
# Flask-Babel's own filter names and styles, kept working: "medium" and "short" both mean one of ours.
LEGACY_STYLES = {None: "datetime", "medium": "datetime", "full": "datetime", "long": "datetime", "short": "short"}


def _locale():
    return get_locale() or "zh_Hans"


def _patterns() -> dict:
    return PATTERNS["en" if str(_locale()).startswith("en") else "zh"]


def when(value, style: str = "datetime") -> str:
    """A moment (stored UTC, shown on the company's wall clock), a day or a time of day."""
    if value is None or value == "":
        return ""
    pattern = _patterns()[LEGACY_STYLES.get(style, style)]
    if isinstance(value, datetime):
        from app.core.db import local

        moment = local(value) if value.tzinfo else value
        if pattern in NUMERIC:  # the same text as Babel's, without its pattern walk (a busy home formats hundreds)
            return moment.strftime(NUMERIC[pattern])
        return format_datetime(moment, pattern, locale=_locale())
    if isinstance(value, date):
        return format_date(value, _patterns()["date"] if style != "short" else pattern.split(" ")[0],
                           locale=_locale())
    if isinstance(value, time):
        return format_time(value, pattern if style in ("time", "seconds") else _patterns()["time"], locale=_locale())
    return str(value)


def number(value) -> str:
    """A number without spurious decimals: 3.0 → "3", 22.50 → "22.5", 1234 → "1,234"."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return format_decimal(value, format="#,##0.###", locale=_locale())


def quantity(value, unit: str | None = None) -> str:
    """A number with its unit: "3", "22 ℃", "7 包" (the unit translated while it is a starter value)."""
    text = number(value)
    if not unit or not text:
        return text
    unit = starter(unit)
    return f"{text} {unit}"


# Values the starter data ships with (repair categories, inventory categories, stock units, shift patterns …),
# keyed by the Chinese value as stored. Shown in the reader's language while unchanged; once an admin edits a
# value it is no longer a key here and shows as typed.
STARTERS = {  # literal calls, so the catalogue extraction finds each one
    # repair categories (app.repairs.models)
    # en: Water, Electrical, Doors & windows, Fire safety, Lift, Cleaning, Landscaping, Other
    "水": _l("水"), "电": _l("电"), "门窗": _l("门窗"), "消防": _l("消防"), "电梯": _l("电梯"), "保洁": _l("保洁"), "绿化": _l("绿化"),
    "其他": _l("其他"),
    # inventory categories (app.handovers.models); en: Lighting, Furniture, Tableware, Bedding, Decor, Appliances
    "灯具": _l("灯具"), "家私": _l("家私"), "餐具": _l("餐具"), "寝具": _l("寝具"), "饰品": _l("饰品"), "电器": _l("电器"),
    # stock units of the water-bar starter catalogue; en: bottle(s), pack(s), box(es), pcs, pair(s), bag(s)
    "瓶": _l("瓶"), "包": _l("包"), "盒": _l("盒"), "个": _l("个"), "双": _l("双"), "袋": _l("袋"),
    # shift patterns and posts (app.shifts.demo)
    # en: Morning, Mid, Water bar, Reception, Show flat A, Show flat B, Car park, Greeter
    "早班": _l("早班"), "中班": _l("中班"), "水吧": _l("水吧"), "接待": _l("接待"), "样板间A": _l("样板间A"), "样板间B": _l("样板间B"),
    "车场": _l("车场"), "迎宾": _l("迎宾"),
}


def starter(value):
    """A starter value in the reader's language; anything else (edited or typed by a user) as it is."""
    if isinstance(value, str) and value in STARTERS:
        return str(STARTERS[value])
    return value


def init_app(app):
    for name, function in {"when": when, "number": number, "quantity": quantity, "starter": starter,
                           "datetimeformat": when}.items():
        app.add_template_filter(function, name)
