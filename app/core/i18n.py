"""Languages: Simplified Chinese by default; Traditional Chinese and English per user."""
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return cookie_locale()


def cookie_locale() -> str:
    """The language this request's cookie session remembers (the user's at login, or as switched), else the
    browser's: for an answer given before the user is loaded (app/sync/gate.py)."""
    languages = current_app.config["LANGUAGES"]
    if session.get("locale") in languages:
        return session["locale"]
    # Before login, follow the browser: zh-TW/zh-HK → Traditional, en → English, else Simplified.
    best = request.accept_languages.best_match(["zh-CN", "zh-TW", "zh-HK", "zh", "en"], default="zh-CN")
    return {"zh-TW": "zh_Hant", "zh-HK": "zh_Hant", "en": "en"}.get(best, current_app.config["BABEL_DEFAULT_LOCALE"])


def html_lang(locale: str) -> str:
    return {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}.get(locale, "zh-Hans")




ROLE_LABELS = {
    "guard": _l("秩序维护员"),
    "attendant": _l("案场服务员"),
    "engineer": _l("工程维修"),
    "inspector": _l("品质检查员"),
    "supervisor": _l("主管"),
    "frontdesk": _l("前台/客服"),
    "cleaner": _l("保洁员"),
    "admin": _l("管理员"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


THEME_COOKIE = "theme"
THEMES = {"auto": _l("跟随系统"), "light": _l("日间"), "dark": _l("夜间")}


def theme() -> str:
    """This device's colours: "auto" follows prefers-color-scheme; "light"/"dark" is the user's choice."""
    chosen = request.cookies.get(THEME_COOKIE, "auto") if has_request_context() else "auto"
    return chosen if chosen in THEMES else "auto"


def _context():
    locale = str(get_locale() or "zh_Hans")
    return {"html_lang": html_lang(locale), "current_locale": locale, "theme": theme(), "themes": THEMES,
            "languages": current_app.config["LANGUAGES"], "role_label": role_label}


def abs_duration(delta) -> str:
    """A time span for a clock on a phone: "2 天 3 小时", "3 小时 20 分钟", "15 分钟" (sign dropped)."""
    from flask_babel import gettext

    minutes = int(abs(delta.total_seconds()) // 60)
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return gettext("%(d)d 天 %(h)d 小时", d=days, h=hours)
    if hours:
        return gettext("%(h)d 小时 %(m)d 分钟", h=hours, m=mins)
    return gettext("%(m)d 分钟", m=mins)


def init_app(app):
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    app.context_processor(_context)
    app.add_template_filter(abs_duration)
