"""Response headers: no caching of a logged-in user's data, Allow on a 405, Vary where htmx chose the answer,
cookies only over TLS (and bound to the host) when the app is served over https."""
import pytest
from flask import Response

from app import create_app
from app.core.permissions import logged_in
from tests import factories


def test_a_logged_in_users_pages_and_data_are_not_stored_by_any_cache(login_as, world):
    client = login_as("admin")
    for url in ("/", "/admin/users", "/api/v1/session", "/api/v1/offline-pages"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", url


def test_static_files_and_anonymous_pages_keep_their_caching(client, world):
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")
    assert client.get("/sw.js").headers["Cache-Control"] == "no-cache"
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")


def test_a_405_says_which_methods_are_allowed(client, world):
    response = client.get("/logout")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"POST"}
    assert response.mimetype == "text/html"  # still our error page


def test_answers_chosen_by_hx_request_say_they_vary_by_it(login_as, world):
    client = login_as("admin")
    page, fragment = client.get("/admin/users"), client.get("/admin/users", headers={"HX-Request": "true"})
    assert "<html" in page.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    for response in (page, fragment):
        assert "HX-Request" in response.vary
    assert "HX-Request" in client.get("/nowhere").vary  # the error page too: fragment or page


def test_a_boosted_request_gets_the_whole_page(login_as, world):
    client = login_as("admin")
    response = client.get("/admin/users", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in response.get_data(as_text=True)


@pytest.fixture
def https_app(test_config):
    class OverTLS(test_config):
        PUBLIC_URL = "https://wuye.example"

    return create_app(OverTLS)


def test_behind_https_the_cookies_are_secure_and_bound_to_the_host(https_app, world):
    client = https_app.test_client()
    page = client.get("/login", base_url="https://wuye.example")
    token = page.get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    response = client.post("/login", base_url="https://wuye.example", headers={"Referer": "https://wuye.example/login"},
                           data={"username": "guard", "password": factories.PASSWORD, "remember": "1",
                                 "csrf_token": token})
    assert response.status_code == 302
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert set(cookies) == {"__Host-session", "__Host-remember_token"}
    for cookie in cookies.values():
        attributes = [a.strip().lower() for a in cookie.split(";")]
        assert "secure" in attributes and "path=/" in attributes and not any(a.startswith("domain") for a in attributes)
    assert client.get("/", base_url="https://wuye.example").status_code == 200  # and they work


def test_over_plain_http_the_cookies_keep_their_names(client, world):
    response = client.login("guard")
    assert [c.split("=", 1)[0] for c in response.headers.getlist("Set-Cookie")] == ["session"]


def test_a_logged_in_users_csv_and_pdf_are_not_stored_either(app, test_config, world):
    other = create_app(test_config)
    other.test_client_class = app.test_client_class
    for kind in ("text/csv", "application/pdf"):
        view = logged_in(lambda kind=kind: Response("x", mimetype=kind))
        other.add_url_rule(f"/report.{kind.split('/')[1]}", kind, view)
    client = other.test_client()
    client.login("guard")
    for url in ("/report.csv", "/report.pdf"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", url
