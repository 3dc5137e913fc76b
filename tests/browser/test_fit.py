"""Each role's main pages on its own device, on fresh demo data: nothing wider than the screen, main actions
big enough for a thumb (44 px), and colour contrast passing axe-core by day and by night."""
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app import demo
from tests.browser.helpers import log_in

PHONE, TABLET = {"width": 360, "height": 740}, {"width": 1024, "height": 768}
ROLES = [("guard1", PHONE), ("attendant1", PHONE), ("engineer1", PHONE), ("inspector1", TABLET),
         ("supervisor1", TABLET), ("frontdesk1", TABLET), ("cleaner1", PHONE), ("manager1", TABLET), ("manager1", PHONE)]
EXTRA = {"attendant1": ["/rooms/1/handover", "/rooms/1/checks/closing"],  # the long forms of a show flat
         "supervisor1": ["/routes/1"],  # a route with its schedule form
         "manager1": ["/organisations/1/month", "/organisations/1/month?sort=repair_satisfaction&order=desc"]}
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

# The controls a user acts with: buttons, the home page's tasks, the tab bar, segmented answers.
FIT_JS = """() => {
    const doc = document.documentElement;
    const small = [];
    const actions = "main .btn, main button, main .card-list a, .tabbar a, main .seg, main select, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file])";
    for (const el of document.querySelectorAll(actions)) {
        const box = el.getBoundingClientRect();
        if (!box.width || !box.height || el.closest("[hidden], .visually-hidden, .when-failed, details:not([open])")) continue;
        const inline = el.matches(".card-list a") && getComputedStyle(el).display === "inline";
        const height = inline ? el.closest("li").getBoundingClientRect().height : box.height;
        if (height < 43.5) small.push(`${el.tagName.toLowerCase()}.${el.className} «${el.textContent.trim().slice(0, 20)}» ${Math.round(height)}px`);
    }
    return {width: doc.scrollWidth, small};
}"""


def _main_pages(page) -> list[str]:
    """The home page and the tasks it lists (each role's daily pages)."""
    links = page.locator("main .card-list a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    return ["/"] + list(dict.fromkeys(link for link in links if link and link.startswith("/")))[:4]


def _contrast_violations(page) -> list[str]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => (await axe.run(document, {runOnly: ["color-contrast"]})).violations
        .flatMap((v) => v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary.split("\\n").pop()))""")
    return result


@pytest.fixture
def demo_site(app, db):
    with app.app_context():
        demo.seed(db)
        db.commit()


@pytest.mark.parametrize("username, viewport", ROLES, ids=[f"{u}-{v['width']}" for u, v in ROLES])
def test_each_roles_main_pages_fit_the_device_and_read_by_day_and_by_night(browser, live_server, demo_site,
                                                                           username, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live_server, bypass_csp=True,  # for axe
                                  has_touch=viewport is PHONE, is_mobile=viewport is PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, username, demo.PASSWORD)
    problems = []
    pages = _main_pages(page) + EXTRA.get(username, [])
    for path in pages:
        page.goto(path)
        fit = page.evaluate(FIT_JS)
        # a phone's layout viewport grows to fit wide content, so compare with the device's own width
        if fit["width"] > viewport["width"]:
            problems.append(f"{path}: {fit['width']} px wide on a {viewport['width']} px screen")
        problems += [f"{path}: small target {target}" for target in fit["small"]]
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto("/")
        problems += [f"/ ({scheme}): contrast {v}" for v in _contrast_violations(page)]
    context.close()
    assert problems == []


def test_the_night_switch_in_my_account_applies_before_the_first_paint(browser, live_server, demo_site):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    log_in(page, "guard1", demo.PASSWORD)
    page.goto("/account")
    page.get_by_role("button", name="夜间").click()
    page.wait_for_url("**/account")
    assert page.locator("html").get_attribute("data-theme") == "dark"
    dark = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    page.get_by_role("button", name="日间").click()
    page.wait_for_url("**/account")
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != dark
    page.get_by_role("button", name="跟随系统").click()
    page.wait_for_url("**/account")
    assert page.locator("html").get_attribute("data-theme") is None
    page.emulate_media(color_scheme="dark")
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == dark
    context.close()


def test_a_long_unbroken_string_wraps_and_a_cut_paste_is_told(browser, live_server, world, db):
    from tests import factories

    ticket, _photo, _record = factories.ticket(db, world.p1, world.users["guard"], description="A" * 2000)  # the longest a description may be
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server, has_touch=True, is_mobile=True)
    page = context.new_page()
    log_in(page, "guard", factories.PASSWORD)
    page.goto(f"/tickets/{ticket.id}")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto(f"/projects/{world.p1.id}/report")
    box = page.get_by_label("具体位置")
    box.focus()
    page.evaluate("""() => {  // a paste of 250 characters into a 200-character box
        const box = document.activeElement, data = new DataTransfer();
        data.setData("text/plain", "B".repeat(250));
        box.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true}));
        box.value = "B".repeat(200);  // what the browser keeps of it
        box.dispatchEvent(new Event("input", {bubbles: true}));
    }""")
    counter = page.locator("#location + .char-count")
    expect(counter).to_contain_text("200/200 字")
    expect(counter).to_contain_text("多出的部分已截去")
    context.close()


def test_on_a_tablet_each_label_of_a_ticket_sits_beside_its_value(browser, live_server, world, db):
    """Label | value rows (dl.facts), not pairs flowing across columns with labels above the wrong values."""
    from tests import factories

    ticket, _photo, _record = factories.ticket(db, world.p1, world.users["guard"])
    context = browser.new_context(viewport=TABLET, locale="zh-CN", base_url=live_server)
    page = context.new_page()
    log_in(page, "supervisor", factories.PASSWORD)
    page.goto(f"/tickets/{ticket.id}")
    rows = page.evaluate("""() => [...document.querySelectorAll("dl.facts > dt")].map((dt) => {
        const dd = dt.nextElementSibling;
        return [dt.textContent.trim(), Math.round(dt.getBoundingClientRect().top), Math.round(dd.getBoundingClientRect().top),
                dt.getBoundingClientRect().left < dd.getBoundingClientRect().left];
    })""")
    context.close()
    assert len(rows) >= 4
    assert [r[0] for r in rows if abs(r[1] - r[2]) > 2 or not r[3]] == []


def test_a_manager_sorts_the_month_matrix_on_a_tablet_and_it_reads_by_day_and_by_night(browser, live_server,
                                                                                       demo_site):
    context = browser.new_context(viewport=TABLET, locale="zh-CN", base_url=live_server, bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, "manager1", demo.PASSWORD)
    page.get_by_role("link", name="月度指标").click()
    page.wait_for_url("**/organisations/1/month")
    expect(page.get_by_role("row").nth(1)).to_contain_text("全公司")
    head = page.locator("#month-matrix thead")
    head.get_by_role("link", name="项目").click()  # sorts by name
    page.wait_for_url("**sort=name**")
    names = page.locator("#month-matrix tbody th").all_inner_texts()
    assert names[0] == "全公司" and names[1:] == sorted(names[1:])
    expect(page.locator("th[aria-sort=ascending]")).to_have_count(0)  # the name column is not a measure
    head.get_by_role("link", name="满意率").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("满意率")
    problems = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        problems += [f"{scheme}: contrast {v}" for v in _contrast_violations(page)]
    assert problems == []
    context.close()
