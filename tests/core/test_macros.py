"""The shared template pieces (templates/core/_photos.html, _photo_viewer.html, _forms.html), rendered and parsed."""
import re
import uuid
from pathlib import Path
from types import SimpleNamespace

from bs4 import BeautifulSoup
from flask import render_template_string

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Forms that create nothing, so they carry no client_id (app/core/once.py).
PLAIN_POSTS = {"accounts.set_locale", "accounts.set_theme", "accounts.logout", "core.notifications_read"}  # settings, not records


def _module(app, name):
    return app.jinja_env.get_template(name).make_module({})


def _html(markup) -> BeautifulSoup:
    return BeautifulSoup(str(markup), "html.parser")


def test_every_photo_tile_is_a_link_to_the_full_photo(app):
    photos = [SimpleNamespace(id=7), SimpleNamespace(id=9)]
    with app.test_request_context():
        grid = _html(_module(app, "core/_photos.html").photo_grid(photos, "扣分照片:地面有垃圾")).select_one(".photo-grid")
    assert grid["aria-label"] == "扣分照片:地面有垃圾"
    tiles = grid.select("a")
    assert [a["href"] for a in tiles] == ["/photos/7", "/photos/9"]
    assert [a.img["src"] for a in tiles] == ["/photos/7/thumb", "/photos/9/thumb"]
    assert [a.img["alt"] for a in tiles] == ["扣分照片:地面有垃圾 1/2", "扣分照片:地面有垃圾 2/2"]
    assert len(grid.select("img")) == len(tiles) and all(a.has_attr("data-photo-tile") for a in tiles)


def test_a_pdf_gets_plain_images_and_no_photos_no_grid(app):
    module = _module(app, "core/_photos.html")
    with app.test_request_context():
        grid = _html(module.photo_grid([SimpleNamespace(id=7)], "照片", src=lambda p: "data:image/jpeg;base64,AAAA"))
        empty = str(module.photo_grid([], "照片")).strip()
    assert grid.select("a") == [] and grid.select_one("img")["src"].startswith("data:")
    assert empty == ""


def test_the_viewer_is_a_labelled_dialog_whose_controls_have_names(login_as):
    page = BeautifulSoup(login_as("supervisor").get("/").get_data(as_text=True), "html.parser")
    viewer = page.select_one("dialog#photo-viewer")
    assert viewer and page.select_one(f"#{viewer['aria-labelledby']}")
    names = {b["data-viewer"]: b.get("aria-label") for b in viewer.select("button")}
    assert names == {"close": "关闭", "previous": "上一张", "zoom-out": "缩小", "zoom-in": "放大", "next": "下一张"}
    assert all(b["type"] == "button" for b in viewer.select("button"))
    assert page.select_one('script[src$="/static/js/photo-viewer.js"]')


def test_post_head_carries_the_csrf_token_and_a_new_client_id(app):
    with app.test_request_context():
        first, second = (_html(render_template_string(
            '{% from "core/_forms.html" import post_head %}{{ post_head() }}')) for _ in range(2))
    ids = [h.select_one("input[name=client_id]")["value"] for h in (first, second)]
    assert first.select_one("input[name=csrf_token]")["value"]
    assert ids[0] != ids[1] and all(uuid.UUID(i) for i in ids)


def test_a_refused_posts_id_stays_with_its_own_form(app):
    posted = str(uuid.uuid4())
    template = ('{% from "core/_forms.html" import post_head %}'
                '{{ post_head("/tickets/1/act", {"action": "start"}) }}{{ post_head("/tickets/1/act", {"action": "finish"}) }}'
                '{{ post_head("/elsewhere") }}')
    with app.test_request_context("/tickets/1/act", method="POST", data={"client_id": posted, "action": "finish"}):
        ids = [i["value"] for i in _html(render_template_string(template)).select("input[name=client_id]")]
    assert ids[1] == posted and posted not in (ids[0], ids[2])


def test_an_outbox_form_posts_without_javascript_only_when_given_an_action(app):
    template = ('{% from "core/_forms.html" import outbox_form %}'
                '{% call outbox_form("ticket_report", 3, "报修 · 一期", detail="第 1 个点", after="/", '
                'action="/projects/3/report", attrs={"id": "f"}) %}<input name="x">{% endcall %}'
                '{% call outbox_form("patrol_finish", 3, "结束巡逻", attrs={"data-confirm": none}) %}{% endcall %}')
    with app.test_request_context():
        plain, queued = _html(render_template_string(template)).select("form")
    assert (plain["method"], plain["action"], plain["id"]) == ("post", "/projects/3/report", "f")
    assert (plain["data-outbox-kind"], plain["data-project-id"], plain["data-outbox-label"]) == ("ticket_report", "3", "报修 · 一期")
    assert plain["data-outbox-detail"] == "第 1 个点" and plain["data-after-queue"] == "/"
    assert plain.select_one("input[name=client_id]") and plain.select_one("input[name=x]")
    assert not queued.has_attr("method") and not queued.has_attr("data-confirm") and not queued.select("input")
    # the phone checks both (static/js/rules.js) in the user's language: the browser's bubbles never come first
    assert plain.has_attr("novalidate") and queued.has_attr("novalidate")


def test_every_outbox_form_is_made_by_the_macro():
    """A house rule over the template sources: a form queued on the phone carries novalidate through
    outbox_form, never by hand (where it could be forgotten)."""
    by_hand = [str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")
               if "data-outbox-kind=" in path.read_text() and path.name != "_forms.html"]
    assert by_hand == []


def test_row_actions_edit_in_place_and_delete_after_asking(app):
    template = ('{% from "core/_forms.html" import row_actions %}'
                '{{ row_actions("/areas/1/edit", "/areas/1/delete", "#area-1 .area-head", "#area-1", "删除?") }}')
    with app.test_request_context():
        actions = _html(render_template_string(template))
    edit, form = actions.select_one("button[hx-get]"), actions.select_one("form")
    assert (edit["hx-get"], edit["hx-target"], edit.get_text()) == ("/areas/1/edit", "#area-1 .area-head", "编辑")
    assert (form["action"], form["hx-post"], form["hx-target"], form["data-confirm"]) == (
        "/areas/1/delete", "/areas/1/delete", "#area-1", "删除?")
    assert form.select_one("input[name=csrf_token]") and form.select_one("input[name=client_id]")


def test_every_plain_post_form_has_the_form_head():
    """A house rule over the template sources: a method="post" form carries post_head (or is a ticket action,
    whose hidden() is one), unless it creates nothing."""
    missing = []
    for path in TEMPLATES.rglob("*.html"):
        source = path.read_text()
        for form in re.finditer(r'<form\b[^>]*method="post"[^>]*>(.*?)</form>', source, re.S):
            if any(f"url_for('{endpoint}')" in form.group(0) for endpoint in PLAIN_POSTS) or "login" in path.name:
                continue
            if "post_head(" not in form.group(1) and "hidden(" not in form.group(1):
                missing.append(f"{path.relative_to(TEMPLATES)}:{source[:form.start()].count(chr(10)) + 1}")
    assert missing == []
