"""Logging in and out, remember-me, throttling, sessions ended by password change or deactivation."""
from datetime import timedelta

from sqlmodel import select

from app.accounts import services
from app.accounts.models import LoginFailure, User
from app.core.db import get_session, utcnow
from tests import factories
from tests.html import alert, soup, text


def test_it_logs_in_and_lands_on_the_home_of_today(client, world):
    response = client.login("guard")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert text(home, "h1") == ["今日工作"]
    assert "江城壹号销售中心" in text(home, ".project-card h2")


def test_a_wrong_password_gets_a_clear_chinese_message(client, world):
    response = client.login("guard", "wrong-password")
    assert response.status_code == 401
    assert alert(response) == "用户名或密码不正确。"
    assert soup(response).select_one("#username")["value"] == "guard"  # what was typed is kept


def test_an_unknown_user_gets_the_same_message(client, world):
    response = client.login("nobody", "whatever-123")
    assert response.status_code == 401 and alert(response) == "用户名或密码不正确。"


def test_a_deactivated_user_cannot_log_in(client, world, db):
    factories.user(db, world.org_a, "gone", active=False)
    response = client.login("gone")
    assert response.status_code == 403 and "已停用" in alert(response)


def test_pages_need_login_and_come_back_after_it(client, world):
    response = client.get("/projects")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    response = client.post("/login?next=/projects", data={"username": "guard", "password": factories.PASSWORD,
                                                           "csrf_token": client.csrf()})
    assert response.headers["Location"] == "/projects"


def test_next_cannot_send_the_user_to_another_site(client, world):
    response = client.post("/login?next=//evil.example/x", data={"username": "guard", "password": factories.PASSWORD,
                                                                 "csrf_token": client.csrf()})
    assert response.headers["Location"] == "/"


def test_htmx_requests_without_login_are_told_to_redirect(client, world):
    response = client.get("/projects", headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.headers["HX-Redirect"].startswith("/login")


def test_remember_me_sets_a_long_lived_cookie(client, world):
    client.login("guard", remember="1")
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.expires is not None
    assert cookie.expires - utcnow() > timedelta(days=29)


def test_logout_ends_the_session(login_as):
    client = login_as("guard")
    assert client.post_form("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_the_account_is_throttled_after_five_failures_and_unlocks_later(client, world, db, app):
    for _ in range(5):
        assert client.login("guard", "bad-password").status_code == 401
    response = client.login("guard")  # even the right password waits
    assert response.status_code == 429
    assert "尝试次数过多" in alert(response) and "15 分钟" in alert(response)
    # the window slides on: the failures age, and the real owner gets in again
    for failure in db.exec(select(LoginFailure)).all():
        failure.at = failure.at - timedelta(minutes=16)
        db.add(failure)
    db.commit()
    assert client.login("guard").status_code == 302


def test_throttling_one_account_does_not_lock_another(client, world):
    for _ in range(5):
        client.login("guard", "bad-password")
    assert client.login("attendant").status_code == 302


def test_an_address_is_throttled_across_accounts(client, world, db, app):
    now = utcnow()
    db.add_all([LoginFailure(username=f"u{i}", ip="127.0.0.1", at=now) for i in range(30)])
    db.commit()
    assert client.login("guard").status_code == 429


def test_a_good_login_clears_the_accounts_failures(client, world, db):
    for _ in range(3):
        client.login("guard", "bad-password")
    client.login("guard")
    db.expire_all()
    assert db.exec(select(LoginFailure).where(LoginFailure.username == "guard")).all() == []


def test_passwords_are_stored_as_argon2id(db, world):
    user = db.get(User, world.users["guard"].id)
    assert user.password_hash.startswith("$argon2id$")
    assert factories.PASSWORD not in user.password_hash


def test_changing_the_password_ends_other_sessions(app, login_as):
    phone, tablet = login_as("guard"), login_as("guard")
    response = phone.post_form("/account", {"current": factories.PASSWORD, "new": "new-secret-77",
                                            "confirm": "new-secret-77"})
    assert response.status_code == 302
    assert phone.get("/").status_code == 200  # this device stays logged in
    assert tablet.get("/").status_code == 302  # the other one is logged out
    assert app.test_client().login("guard", "new-secret-77").status_code == 302


def test_password_change_refusals_are_explained(login_as):
    client = login_as("guard")
    cases = [
        ({"current": "wrong", "new": "new-secret-77", "confirm": "new-secret-77"}, "当前密码不正确。"),
        ({"current": factories.PASSWORD, "new": "new-secret-77", "confirm": "other-secret"}, "两次输入的新密码不一致。"),
        ({"current": factories.PASSWORD, "new": "short", "confirm": "short"}, "密码至少需要 8 位。"),
    ]
    for form, message in cases:
        response = client.post_form("/account", form)
        assert response.status_code == 400 and alert(response) == message


def test_authenticate_rehashes_weaker_hashes(app, ctx, world):
    session = get_session()
    app.config["ARGON2_TIME_COST"] = 2
    services.configure(app.config)  # what start-up reads
    try:
        assert services.authenticate(session, username="guard", password=factories.PASSWORD, ip="1.2.3.4").user
        assert "t=2" in session.get(User, world.users["guard"].id).password_hash
    finally:
        app.config["ARGON2_TIME_COST"] = 1
        services.configure(app.config)
