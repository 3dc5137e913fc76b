"""What the audit found in logging in and out: open redirects, sessions outliving logout, a throttle that
raced, and client addresses behind a proxy."""
import threading
from urllib.parse import urljoin, urlsplit

import pytest
from sqlmodel import Session, select

from app import create_app
from app.accounts import services
from app.accounts.models import LoginFailure
from tests import factories

# What a browser makes of each: another site, or a header werkzeug cannot send.
HOSTILE = ["/\t/evil.example/path", "/\n/evil.example", "/\r\n/evil.example", "\\\\evil.example", "/\\evil.example",
           "\\/evil.example", "//evil.example", "https://evil.example/", "  //evil.example", "\t//evil.example",
           "javascript:alert(1)", "/%09/evil.example", "http:/evil.example", "/\x0b/evil.example"]


def _lands_on_this_site(response) -> bool:
    """The Location as the browser will follow it, from a page of this site."""
    location = response.headers["Location"]
    resolved = urljoin("https://wuye.example/login", location.replace("\t", "").replace("\n", "")
                       .replace("\r", "").replace("\\", "/"))
    return urlsplit(resolved).netloc == "wuye.example"


@pytest.mark.parametrize("target", HOSTILE)
def test_login_never_sends_the_user_to_another_site(client, world, target):
    response = client.post("/login", query_string={"next": target},
                           data={"username": "guard", "password": factories.PASSWORD, "csrf_token": client.csrf()})
    assert response.status_code == 302 and _lands_on_this_site(response)
    again = client.get("/login", query_string={"next": target})  # already logged in: straight on
    assert again.status_code == 302 and _lands_on_this_site(again)


@pytest.mark.parametrize("target", HOSTILE)
def test_switching_the_language_never_sends_the_user_to_another_site(client, world, target):
    response = client.post("/locale", data={"locale": "en", "next": target, "csrf_token": client.csrf()})
    assert response.status_code == 302 and _lands_on_this_site(response)


def test_a_path_of_this_site_is_still_followed(client, world):
    response = client.post("/locale", data={"locale": "en", "next": "/projects?tab=areas#x",
                                            "csrf_token": client.csrf()})
    assert response.headers["Location"] == "/projects?tab=areas#x"


def test_cookies_copied_before_logout_no_longer_authenticate(app, client, world):
    client.login("guard", remember="1")
    copied = {name: client.get_cookie(name).value for name in (app.config["SESSION_COOKIE_NAME"], "remember_token")}
    assert client.post_form("/logout").status_code == 302
    thief = app.test_client()
    for name, value in copied.items():
        thief.set_cookie(name, value)
    assert thief.get("/").status_code == 302
    remembered = app.test_client()
    remembered.set_cookie("remember_token", copied["remember_token"])
    assert remembered.get("/").status_code == 302
    assert app.test_client().login("guard").status_code == 302  # the owner logs in again as usual


def test_sixteen_simultaneous_wrong_passwords_get_at_most_five_checks(app, world, monkeypatch):
    real_verify, checked, throttled = services.verify_password, [], []
    turn = threading.Condition()

    def held_verify(user, password):
        with turn:  # every check waits until all sixteen are answered or more than five got this far
            checked.append(password)
            turn.notify_all()
            turn.wait_for(lambda: len(checked) > 5 or len(checked) + len(throttled) == 16, timeout=30)
        return real_verify(user, password)

    def guess(n: int):
        with Session(app.extensions["engine"], expire_on_commit=False) as session:
            result = services.authenticate(session, username="guard", password=f"wrong-{n}", ip=f"192.0.2.{n}")
        if result.error == "throttled":
            with turn:
                throttled.append(n)
                turn.notify_all()

    monkeypatch.setattr(services, "verify_password", held_verify)
    threads = [threading.Thread(target=guess, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(checked) <= 5 and len(checked) + len(throttled) == 16


def _proxied_app(test_config, hops: int):
    class Behind(test_config):
        TRUSTED_PROXY_HOPS = hops

    return create_app(Behind)


@pytest.mark.parametrize("hops, counted", [(0, "127.0.0.1"), (1, "203.0.113.9"), (2, "198.51.100.4")])
def test_the_throttle_counts_the_address_the_trusted_proxies_saw(test_config, world, db, hops, counted):
    client = _proxied_app(test_config, hops).test_client()
    token_page = client.get("/login", headers={"X-Forwarded-For": "198.51.100.4, 203.0.113.9"})
    token = token_page.get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    client.post("/login", data={"username": "guard", "password": "wrong", "csrf_token": token},
                headers={"X-Forwarded-For": "198.51.100.4, 203.0.113.9"})
    assert [f.ip for f in db.exec(select(LoginFailure)).all()] == [counted]
