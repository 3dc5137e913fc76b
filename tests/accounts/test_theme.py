"""Day or night colours: the system's by default, or the user's choice on this device, painted by the server."""
from tests.html import soup


def test_the_page_follows_the_system_until_a_theme_is_chosen(login_as):
    client = login_as("guard")
    assert not soup(client.get("/")).html.has_attr("data-theme")
    page = soup(client.get("/account"))
    assert [b["value"] for b in page.select(".theme-form button[name=theme]")] == ["auto", "light", "dark"]
    assert page.select_one('.theme-form button[aria-pressed="true"]')["value"] == "auto"


def test_a_chosen_theme_is_kept_in_a_cookie_and_written_on_the_html_element(login_as):
    client = login_as("guard")
    response = client.post_form("/theme", {"theme": "dark", "next": "/account"})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    cookie = client.get_cookie("theme")
    assert cookie.value == "dark" and cookie.http_only
    assert soup(client.get("/")).html["data-theme"] == "dark"
    client.post_form("/theme", {"theme": "auto"})
    assert not soup(client.get("/")).html.has_attr("data-theme")


def test_an_unknown_theme_is_refused(login_as):
    assert login_as("guard").post_form("/theme", {"theme": "neon"}).status_code == 400
