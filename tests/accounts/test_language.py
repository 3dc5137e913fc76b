"""Simplified Chinese by default; Traditional Chinese and English per user."""
from sqlmodel import select

from app.accounts.models import User
from tests.html import soup, text


def test_the_default_is_simplified_chinese(client):
    page = soup(client.get("/login"))
    assert page.html["lang"] == "zh-Hans" and page.h1.get_text() == "登录"


def test_a_user_switches_language_and_it_sticks_to_the_account(app, login_as, db, world):
    client = login_as("guard")
    response = client.post_form("/locale", {"locale": "en", "next": "/account"})
    assert response.headers["Location"] == "/account"
    assert soup(client.get("/")).html["lang"] == "en"
    assert text(client.get("/"), "h1") == ["Today's work"]
    assert db.exec(select(User.locale).where(User.username == "guard")).one() == "en"
    other_device = login_as("guard")
    assert soup(other_device.get("/")).html["lang"] == "en"


def test_traditional_chinese(login_as):
    client = login_as("guard")
    client.post_form("/locale", {"locale": "zh_Hant"})
    page = soup(client.get("/account"))
    assert page.html["lang"] == "zh-Hant"
    assert "修改密碼" in [h.get_text() for h in page.select("h2")]


def test_an_unknown_language_is_refused(login_as):
    assert login_as("guard").post_form("/locale", {"locale": "xx"}).status_code == 400


def test_before_login_the_browser_language_is_followed(client):
    page = soup(client.get("/login", headers={"Accept-Language": "zh-TW,zh;q=0.9"}))
    assert page.html["lang"] == "zh-Hant" and page.h1.get_text() == "登錄"
