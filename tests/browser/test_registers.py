"""A guard's night at a post on a 360×740 phone with no signal: a visitor in and out, a lost item found and another
returned to its signed owner, a gift handed in, a key lent and another returned — each refused on the phone first
where the server would refuse it, then queued, and delivered exactly once when the network comes back."""
from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import func, select

from app.core.db import utcnow
from app.registers.models import Found, Gift, KeyLoan, Visit
from app.sync.models import SyncRecord
from tests import factories
from tests.browser.helpers import PHONE_CONTEXT, Network, log_in, wait_for_kept_pages
from tests.browser.test_handovers import _draw, _wait_for_signatures
from tests.browser.test_shifts import wait_until_synced
from tests.registers.helpers import wall

QUEUED_JS = """async () => (await window.WuyeOutbox.list(Number(document.body.dataset.userId))).length"""


def _queued(page) -> int:
    return page.evaluate(QUEUED_JS)


def _kept(db, world):
    """What waits at the post before the night: a visitor in, a wallet kept, a key out."""
    post, guard, now = world.shifts["p1"].post, world.users["guard"], utcnow()
    rows = [Visit(project_id=world.p1.id, post_id=post.id, visitor_name="快递王师傅", phone="13800138000",
                  visiting="3栋2单元1201", in_at=now - timedelta(hours=1), recorded_by=guard.id),
            Found(project_id=world.p1.id, post_id=post.id, found_at=now - timedelta(days=1), found_place="车场",
                  description="棕色钱包", kept_where="岗亭", recorded_by=guard.id),
            KeyLoan(project_id=world.p1.id, post_id=post.id, key_name="样板间A 钥匙", borrower="李管家",
                    lent_at=now - timedelta(hours=2), due_at=now + timedelta(hours=6), lent_by=guard.id)]
    db.add_all(rows)
    db.commit()
    return rows


def _count(db, model) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(model)).one()


def test_every_register_round_trips_offline_and_arrives_once(browser, site, world, db):
    visit, wallet, loan = _kept(db, world)
    records = _count(db, SyncRecord)  # the world's own
    post = world.shifts["p1"].post
    pages = {r: f"/posts/{post.id}/registers/{r}" for r in ("visitors", "lost", "gifts", "keys")}
    context = browser.new_context(**PHONE_CONTEXT, timezone_id="Asia/Shanghai", base_url=site.url)
    context.set_default_timeout(10_000)
    network = Network(context, site)
    page = context.new_page()
    log_in(page, "guard", factories.PASSWORD)
    page.get_by_role("link", name="岗位登记").first.click()
    page.locator(f"#post-{post.id}").get_by_role("link", name="来访登记").click()
    wait_for_kept_pages(page, list(pages.values()))

    network.cut()  # 2 a.m. at the gate: no bar of signal
    now = utcnow()
    # A visitor: first typed leaving before he came, which the phone refuses before anything is queued.
    form = page.locator("#visit-form")
    form.get_by_label("来访人姓名").fill("陈先生")
    form.get_by_label("联系电话").fill("13907100001")
    form.get_by_label("被访人或房号").fill("销售经理 刘经理")
    form.get_by_label("进入时间").fill(wall(now - timedelta(minutes=30)))
    form.get_by_label("离开时间").fill(wall(now - timedelta(hours=1)))
    form.get_by_role("button", name="登记").click()
    expect(form.locator(".outbox-note")).to_have_text("离开时间不能早于进入时间。")
    expect(form.get_by_label("离开时间")).to_have_attribute("aria-invalid", "true")
    assert _queued(page) == 0
    form.get_by_label("离开时间").fill("")
    form.get_by_role("button", name="登记").click()
    expect(page.locator("#sync-badge")).to_have_text("待同步 1")  # back on the kept page
    # The visitor who was in leaves.
    page.locator(f"#visit-{visit.id}").get_by_role("button", name="离开").click()
    expect(page.locator(f"#visit-{visit.id} [data-queued-kind]")).to_be_visible()
    expect(page.locator("#sync-badge")).to_have_text("待同步 2")

    # Lost property: a bag found; the wallet handed to its owner, who must sign first.
    page.get_by_role("link", name="失物招领").click()
    found = page.locator("#found-form")
    found.get_by_label("物品描述").fill("黑色双肩包")
    found.get_by_label("拾获地点").fill("洽谈区")
    found.get_by_role("button", name="登记").click()
    expect(found.locator(".outbox-note")).to_have_text("请填写物品存放处。")
    found.get_by_label("存放处").fill("岗亭")
    found.get_by_role("button", name="登记").click()
    expect(page.locator("#sync-badge")).to_have_text("待同步 3")
    row = page.locator(f"#found-{wallet.id}")
    row.get_by_text("归还失主").click()
    row.get_by_label("领取人姓名").fill("黄女士")
    row.get_by_label("领取人电话").fill("13907100002")
    row.get_by_role("button", name="确认归还").click()
    expect(row.locator(".outbox-note")).to_have_text("缺少领取人的签名。")
    assert _queued(page) == 3
    _draw(page, f"#return-{wallet.id} canvas", 15)
    _wait_for_signatures(page, [f"sign-receiver-{wallet.id}"])
    row.get_by_role("button", name="确认归还").click()
    expect(page.locator("#sync-badge")).to_have_text("待同步 4")
    expect(page.locator(f"#found-{wallet.id} [data-queued-kind]")).to_be_visible()

    # A gift pressed on the guard, handed to the supervisor.
    page.get_by_role("link", name="礼品上缴").click()
    gift = page.locator("#gift-form")
    gift.get_by_label("赠送人").fill("客户 周先生")
    gift.get_by_label("礼品内容").fill("月饼一盒")
    gift.get_by_label("估价(元)").fill("200")
    gift.get_by_label("上缴给").fill("孙主管")
    gift.get_by_role("button", name="登记").click()
    expect(page.locator("#sync-badge")).to_have_text("待同步 5")

    # Keys: the one already out cannot be lent again; another is lent, the first returned.
    page.get_by_role("link", name="钥匙借还").click()
    keys = page.locator("#key-form")
    keys.get_by_label("钥匙名称").fill("样板间A 钥匙")
    keys.get_by_label("借用人").fill("赵工程")
    keys.get_by_label("应还时间").fill(wall(now + timedelta(hours=2)))
    keys.get_by_role("button", name="借出").click()
    expect(keys.locator(".outbox-note")).to_have_text("这把钥匙还没有归还,不能再次借出。")
    keys.get_by_label("钥匙名称").fill("配电房钥匙")
    keys.get_by_label("应还时间").fill(wall(now - timedelta(hours=1)))
    keys.get_by_role("button", name="借出").click()
    expect(keys.locator(".outbox-note")).to_have_text("应还时间须晚于借出时间。")
    keys.get_by_label("应还时间").fill(wall(now + timedelta(hours=2)))
    keys.get_by_role("button", name="借出").click()
    expect(page.locator("#sync-badge")).to_have_text("待同步 6")
    page.locator(f"#key-{loan.id}").get_by_role("button", name="归还").click()
    expect(page.locator("#sync-badge")).to_have_text("待同步 7")
    assert _count(db, SyncRecord) == records  # nothing reached the server while offline

    network.restore()
    wait_until_synced(page, 7, timeout_ms=30_000)
    page.reload()  # another run: nothing is sent twice
    page.wait_for_timeout(500)
    assert _count(db, SyncRecord) == records + 7
    assert (_count(db, Visit), _count(db, Found), _count(db, Gift), _count(db, KeyLoan)) == (2, 2, 1, 2)
    db.expire_all()
    assert db.get(Visit, visit.id).out_at is not None and db.get(KeyLoan, loan.id).returned_at is not None
    returned = db.get(Found, wallet.id)
    assert (returned.receiver_name, returned.receiver_phone) == ("黄女士", "13907100002")
    expect(page.locator("#keys-out li").filter(has_text="配电房钥匙")).to_have_count(1)
    page.screenshot(path="/tmp/registers-keys-after-sync.png", full_page=True)
    context.close()
