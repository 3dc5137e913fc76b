"""Every state-changing request needs the CSRF token: forms, htmx and (later) the service worker."""
from tests.html import alert, soup


def test_a_form_post_without_token_is_refused_with_a_clear_message(client, world):
    response = client.post("/login", data={"username": "guard", "password": "correct-horse-9"})
    assert response.status_code == 400
    assert alert(response) == "请求有误 安全令牌缺失或已过期,请刷新页面后重新提交。"
    assert client.get("/").status_code == 302  # not logged in


def test_an_htmx_post_with_the_header_token_is_accepted(login_as, world):
    client = login_as("admin")
    token = client.csrf()
    response = client.post(f"/projects/{world.p1.id}/areas", data={"name": "车场"},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200


def test_an_htmx_post_without_token_gets_an_error_fragment(login_as, world):
    client = login_as("admin")
    response = client.post(f"/projects/{world.p1.id}/areas", data={"name": "车场"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert soup(response).select_one(".error-box") is not None
    assert soup(response).select_one("html") is None  # a fragment, not a whole page


def test_the_token_is_set_once_on_body_for_htmx(client):
    page = soup(client.get("/login"))
    token = page.select_one('meta[name="csrf-token"]')["content"]
    assert page.body["hx-headers"] == '{"X-CSRFToken": "%s"}' % token
