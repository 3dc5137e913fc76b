"""A notification is rendered in its reader's language outside any request (the clock, channels, e-mail), plurals
included, through the i18n library."""
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask_babel import get_domain

from app import create_app
from app.channels import notices
from app.config import BASE_DIR
from app.core.notifications import Notification, text_in

MSGID = "发往“%(channel)s”的消息发送 %(num)d 次均失败,已停止重试:%(reason)s"
TRANSLATIONS = {
    "en": ("Sending to “%(channel)s” failed once; no more retries: %(reason)s",
           "Sending to “%(channel)s” failed %(num)d times; no more retries: %(reason)s"),
    "zh_Hant": ("發往「%(channel)s」的消息發送 %(num)d 次均失敗,已停止重試:%(reason)s",),
}


def app_with_catalogues(test_config, tmp_path):
    """The app with this event's translations added on top of the project's catalogues (which the lead
    regenerates from the sources; the test does not depend on their state)."""
    for locale, strings in TRANSLATIONS.items():
        catalog = Catalog(locale=locale)
        catalog.add((MSGID, MSGID), strings)
        folder = tmp_path / locale / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with open(folder / "messages.mo", "wb") as fh:
            write_mo(fh, catalog)

    class Config(test_config):
        BABEL_TRANSLATION_DIRECTORIES = f"{BASE_DIR / 'app' / 'translations'};{tmp_path}"

    return create_app(Config)


def test_one_notification_reads_in_each_recipients_language_with_plurals(test_config, tmp_path):
    app = app_with_catalogues(test_config, tmp_path)
    once = Notification(user_id=1, event=notices.GAVE_UP, params={"channel": "主管群", "attempts": 1, "reason": "HTTP 500"})
    many = Notification(user_id=1, event=notices.GAVE_UP, params={"channel": "主管群", "attempts": 6, "reason": "HTTP 500"})
    with app.app_context():  # no request: what the clock has
        get_domain().cache.clear()  # flask_babel keeps catalogues per process, across apps
        try:
            assert text_in(many, "zh_Hans") == "发往“主管群”的消息发送 6 次均失败,已停止重试:HTTP 500"
            assert text_in(many, "zh_Hant") == "發往「主管群」的消息發送 6 次均失敗,已停止重試:HTTP 500"
            assert text_in(many, "en") == "Sending to “主管群” failed 6 times; no more retries: HTTP 500"
            assert text_in(once, "en") == "Sending to “主管群” failed once; no more retries: HTTP 500"
            assert text_in(once, "zh_Hans") == "发往“主管群”的消息发送 1 次均失败,已停止重试:HTTP 500"
        finally:
            get_domain().cache.clear()  # the other tests read the project's catalogues alone


def test_a_row_made_before_events_keeps_its_sentence(app):
    with app.app_context():
        assert text_in(Notification(user_id=1, text="工单 BX-1 超时未派单"), "en") == "工单 BX-1 超时未派单"
