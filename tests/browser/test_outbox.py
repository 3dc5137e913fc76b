"""The offline outbox in a real browser: records with photos made without signal arrive exactly once."""
import re
import time

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from app.core.photos import Photo
from app.projects.models import Area
from app.repairs.models import Ticket
from app.sync.models import SyncRecord
from tests import factories, images
from tests.browser.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE_CONTEXT,
    Network,
    ServerThread,
    log_in,
    wait_for_kept_pages,
)

SYNCED = "✓ 已同步"


@pytest.fixture
def photo_files(tmp_path):
    paths = []
    for i, fmt in enumerate(["JPEG", "PNG"]):
        path = tmp_path / f"leak-{i}.{fmt.lower()}"
        path.write_bytes(images.image(fmt, size=(2400, 1800)))
        paths.append(str(path))
    return paths


def _tickets(db, description: str | None = None) -> list[Ticket]:
    db.expire_all()
    stmt = select(Ticket).order_by(Ticket.id)
    if description:
        stmt = stmt.where(Ticket.description == description)
    return db.exec(stmt).all()


def _photo_count(db, ticket: Ticket) -> int:
    return db.exec(select(func.count()).select_from(Photo).where(Photo.owner_type == "ticket",
                                                                 Photo.owner_id == ticket.id)).one()


def _report(page, description: str, photos=(), area: str | None = None):
    page.get_by_label("问题描述").fill(description)
    if area:
        page.get_by_label("区域").select_option(label=area)
    if photos:
        page.get_by_label("照片").set_input_files(list(photos))
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("status").filter(has_text="已保存到本机,待同步")).to_be_visible()


def _open_report_form_kept_for_offline(page, world):
    url = f"/projects/{world.p1.id}/report"
    page.goto(url)
    wait_for_kept_pages(page, ["/", url, "/sync"])
    return url


def test_a_report_with_two_photos_made_offline_survives_a_browser_restart_and_arrives_once(
        app, playwright, world, db, photo_files, tmp_path):
    server = ServerThread(app).start()  # this test's own server, to switch off while the phone is closed
    profile = str(tmp_path / "profile")

    def open_phone():
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=server.url, **PHONE_CONTEXT)
        context.set_default_timeout(10_000)
        return context, (context.pages[0] if context.pages else context.new_page())

    phone, page = open_phone()
    log_in(page, "guard", factories.PASSWORD)
    _open_report_form_kept_for_offline(page, world)

    Network(phone, server).cut()
    _report(page, "样板间A 卫生间天花板漏水", photo_files, area=world.areas["p1"].name)
    expect(page.locator("#sync-badge")).to_have_text("待同步 1")
    page.reload()  # offline: the kept form, and the entry still waits
    expect(page.get_by_role("heading", name="报修 / 异常上报")).to_be_visible()
    expect(page.locator("#sync-badge")).to_have_text("待同步 1")
    phone.close()  # the guard closes the app

    phone, page = open_phone()  # and opens it again, still without network
    page.goto("/sync")
    expect(page.get_by_role("heading", name="同步状态")).to_be_visible()
    expect(page.locator(".outbox-entry")).to_have_count(1)
    expect(page.locator(".outbox-entry")).to_contain_text("2 张照片")
    expect(page.locator("#sync-badge")).to_have_text("待同步 1")
    assert _tickets(db, "样板间A 卫生间天花板漏水") == []

    server.start()  # signal is back
    page.get_by_role("button", name="立即同步").click()
    expect(page.locator("#sync-badge")).to_have_text(SYNCED)
    expect(page.locator(".outbox-entry .outbox-state")).to_have_text("已同步")
    [ticket] = _tickets(db, "样板间A 卫生间天花板漏水")
    assert _photo_count(db, ticket) == 2 and ticket.area_id == world.areas["p1"].id
    page.reload()
    page.get_by_role("button", name="立即同步").click()  # syncing again sends nothing twice
    expect(page.locator("#sync-badge")).to_have_text(SYNCED)
    assert len(_tickets(db, "样板间A 卫生间天花板漏水")) == 1
    phone.close()
    server.stop()


def test_nothing_is_lost_or_doubled_when_the_server_dies_in_the_middle_of_a_sync(app, browser, world, db):
    state = {"records": 0, "server": None}

    def dies_after_the_fourth_commit(environ, start_response):
        is_record = environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"].startswith("/api/v1/records/")
        if is_record:
            state["records"] += 1
        result = app(environ, start_response)
        if is_record and state["records"] == 4:
            b"".join(result)  # the fourth record commits, then the server dies before answering
            import threading

            state["stopper"] = threading.Thread(target=state["server"].stop)
            state["stopper"].start()
            raise ConnectionAbortedError("server killed")
        return result

    server = state["server"] = ServerThread(dies_after_the_fourth_commit).start()
    context = browser.new_context(**PHONE_CONTEXT, base_url=server.url)
    context.set_default_timeout(10_000)
    network = Network(context, server)
    page = context.new_page()
    log_in(page, "guard", factories.PASSWORD)
    _open_report_form_kept_for_offline(page, world)
    network.cut()
    for i in range(1, 9):
        _report(page, f"第 {i} 条")
    expect(page.locator("#sync-badge")).to_have_text("待同步 8")

    network.restore()
    page.wait_for_function("() => document.querySelector('#sync-badge').textContent !== '待同步 8'")
    server.thread.join(timeout=10)  # it died after the fourth…
    state["stopper"].join(timeout=10)  # …and closed its port before it starts again
    assert len(_tickets(db)) - 3 == 4  # (the world has three tickets of its own)

    server.start()  # back up on the same port
    page.goto("/sync")
    page.get_by_role("button", name="立即同步").click()
    expect(page.locator("#sync-badge")).to_have_text(SYNCED)
    reported = [t.description for t in _tickets(db) if t.description.startswith("第 ")]
    assert reported == [f"第 {i} 条" for i in range(1, 9)]  # each once, in order
    context.close()
    server.stop()


def test_the_same_entry_sent_three_times_at_once_makes_one_record(offline_phone, world, db):
    phone, network = offline_phone
    page = phone.new_page()
    log_in(page, "guard", factories.PASSWORD)
    _open_report_form_kept_for_offline(page, world)
    network.cut()
    _report(page, "三次并发")
    network.restore()
    statuses = page.evaluate("""async () => {
        const [entry] = await WuyeOutbox.list(Number(document.body.dataset.userId));
        const {csrf_token} = await (await fetch("/api/v1/session")).json();
        const send = () => {
            const body = new FormData();
            body.append("record", JSON.stringify({kind: entry.kind, project_id: entry.project_id,
                                                  client_time: entry.client_time, data: entry.data}));
            return fetch(`/api/v1/records/${entry.id}`, {method: "POST", body, headers: {"X-CSRFToken": csrf_token}})
                .then((r) => r.status);
        };
        return Promise.all([send(), send(), send()]);
    }""")
    assert sorted(statuses)[0] in (200, 201) and all(s in (200, 201) for s in statuses)
    expect(page.locator("#sync-badge")).to_have_text(SYNCED)
    assert len(_tickets(db, "三次并发")) == 1


def test_a_refused_entry_keeps_its_reason_and_can_be_corrected(offline_phone, world, db):
    phone, network = offline_phone
    doomed = factories.area(db, world.p1, "即将删除的区域")
    page = phone.new_page()
    log_in(page, "guard", factories.PASSWORD)
    _open_report_form_kept_for_offline(page, world)
    network.cut()
    _report(page, "区域被删了", area="即将删除的区域")
    _report(page, "大堂灯不亮")  # arrives: listed after the refused one, which needs the user
    db.delete(db.get(Area, doomed.id))  # meanwhile, the supervisor deletes that area
    db.commit()

    page.goto("/sync")
    network.restore()
    entries = page.locator(".outbox-entry")
    expect(entries.nth(1).locator(".outbox-state")).to_have_text("已同步")
    entry = entries.first
    expect(entry.locator(".outbox-state")).to_have_text("同步失败")
    expect(entry).to_contain_text("所选区域已不存在,请重新选择。")
    badge = page.locator("#sync-badge")  # refused is not waiting: its own count, in red
    expect(badge).to_have_text("被拒收 1")
    expect(badge).to_have_class(re.compile(r"\bsync-failed\b"))
    page.goto("/")  # and its user is told on the home screen
    expect(page.locator("#outbox-refused")).to_contain_text("1 条记录被服务器拒收")
    page.goto("/sync")
    assert _tickets(db, "区域被删了") == []

    entry.get_by_role("link", name="修改").click()
    expect(page.get_by_label("问题描述")).to_have_value("区域被删了")
    page.get_by_label("区域").select_option(label=world.areas["p1"].name)
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#sync-badge")).to_have_text(SYNCED)
    [ticket] = _tickets(db, "区域被删了")
    assert ticket.area_id == world.areas["p1"].id
    assert len(db.exec(select(SyncRecord).where(SyncRecord.result["id"].as_integer() == ticket.id)).all()) == 1


def test_on_a_shared_tablet_one_user_never_sends_or_sees_anothers_queue(offline_phone, world, db):
    phone, network = offline_phone
    page = phone.new_page()
    log_in(page, "guard", factories.PASSWORD)
    _open_report_form_kept_for_offline(page, world)
    network.cut()
    _report(page, "保安的报修")
    phone.clear_cookies()  # the guard's session expires while offline
    network.restore()
    page.goto("/login")

    log_in(page, "attendant", factories.PASSWORD)
    expect(page.locator("#sync-badge")).to_have_text(SYNCED)
    page.goto("/sync")
    page.get_by_role("button", name="立即同步").click()
    expect(page.locator(".outbox-entry")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("保安的报修")
    assert _tickets(db, "保安的报修") == []

    page.get_by_role("link", name="我的", exact=True).click()
    page.get_by_role("button", name="退出登录").click()
    log_in(page, "guard", factories.PASSWORD)  # the guard is back: the report goes, under the guard
    expect(page.locator("#sync-badge")).to_have_text(SYNCED)
    [ticket] = _tickets(db, "保安的报修")
    assert ticket.reporter_id == world.users["guard"].id


def test_fifty_entries_with_photos_sync_in_order_after_reconnect(offline_phone, world, db):
    phone, network = offline_phone
    page = phone.new_page()
    log_in(page, "guard", factories.PASSWORD)
    _open_report_form_kept_for_offline(page, world)
    network.cut()
    page.evaluate("""async (projectId) => {
        const canvas = new OffscreenCanvas(640, 480);
        const ctx = canvas.getContext("2d");
        const userId = Number(document.body.dataset.userId);
        for (let i = 1; i <= 50; i++) {
            ctx.fillStyle = `hsl(${i * 7}, 70%, 50%)`;
            ctx.fillRect(0, 0, 640, 480);
            const blob = await canvas.convertToBlob({type: "image/jpeg", quality: 0.8});
            await WuyeOutbox.add({userId, kind: "ticket_report", projectId, label: `批量 ${i}`,
                                  data: {description: `批量 ${i}`}, photos: [{name: `p${i}.jpg`, blob}]});
        }
    }""", world.p1.id)
    page.reload()
    expect(page.locator("#sync-badge")).to_have_text("待同步 50")
    network.restore()
    expect(page.locator("#sync-badge")).to_have_text(SYNCED, timeout=60_000)
    reported = [t for t in _tickets(db) if t.description.startswith("批量 ")]
    assert [t.description for t in reported] == [f"批量 {i}" for i in range(1, 51)]
    assert all(_photo_count(db, t) == 1 for t in reported)


def _worker(context):
    for _ in range(100):
        if context.service_workers:
            return context.service_workers[0]
        context.wait_for_event("serviceworker", timeout=10_000)
    raise AssertionError("no service worker")


def test_a_background_sync_that_fails_asks_the_browser_to_try_again(offline_phone, world, db):
    phone, network = offline_phone
    page = phone.new_page()
    log_in(page, "guard", factories.PASSWORD)
    _open_report_form_kept_for_offline(page, world)
    network.cut()
    _report(page, "后台同步重试")
    worker = _worker(phone)
    # The worker's own sync handler, as the browser runs it with the app closed: with the server down the
    # run must reject (so the browser schedules another attempt), not resolve as if all were delivered.
    outcome = worker.evaluate("() => self.backgroundSync().then(() => 'resolved', (err) => 'rejected: ' + err.message)")
    assert outcome == "rejected: still offline"
    assert _tickets(db, "后台同步重试") == []
    network.restore()
    # The page's backoff does not hold the browser's retry back: the next attempt delivers at once.
    assert worker.evaluate("() => self.backgroundSync().then(() => 'resolved', (err) => 'rejected')") == "resolved"
    assert len(_tickets(db, "后台同步重试")) == 1


def test_the_status_pill_says_offline_when_the_server_cannot_be_reached(offline_phone, world, db):
    phone, network = offline_phone
    page = phone.new_page()
    log_in(page, "guard", factories.PASSWORD)
    _open_report_form_kept_for_offline(page, world)
    pill = page.locator("#net-status")
    expect(pill).to_have_text("在线")
    network.server.stop()  # the Wi-Fi is up, but nothing gets through: the browser still says online
    assert page.evaluate("navigator.onLine") is True
    _report(page, "信号很弱")  # queueing starts a sync run, which cannot reach the server
    expect(pill).to_have_text("离线")
    network.server.start()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(pill).to_have_text("在线")
    expect(page.locator("#sync-badge")).to_have_text(SYNCED)


def test_a_photo_entry_sent_back_by_a_busy_server_waits_on_the_phone_and_arrives_when_it_said(
        app, offline_phone, world, db, monkeypatch, tmp_path):
    from app.sync.gate import Gate

    phone, network = offline_phone
    page = phone.new_page()
    log_in(page, "guard", factories.PASSWORD)
    _open_report_form_kept_for_offline(page, world)
    network.cut()
    path = tmp_path / "busy.jpg"  # a phone photo, well over the gate's 64 KB as the page sends it
    path.write_bytes(images.scene((1600, 1200)))
    _report(page, "照片很多的时候", [str(path)])
    busy = Gate(1, waiting=0, wait_seconds=0)
    assert busy.enter()  # every turn taken: 200 guards are sending their photos
    monkeypatch.setitem(app.extensions, "photo_gate", busy)

    page.goto("/sync")
    network.restore()
    page.get_by_role("button", name="立即同步").click()
    entry = page.locator(".outbox-entry").first
    expect(entry).to_contain_text("服务器暂时不可用(503),稍后自动重试")
    expect(page.locator("#sync-badge")).to_have_text("待同步 1")
    assert _tickets(db, "照片很多的时候") == []

    deadline = time.monotonic() + 15  # untouched, the phone comes back when each 503's Retry-After says (1 s: a turn ahead),
    while busy.refused < 3 and time.monotonic() < deadline:  # not at the next 30 s round
        time.sleep(0.05)
    assert busy.refused >= 3 and _tickets(db, "照片很多的时候") == []
    busy.leave(0.05)  # a turn is free again
    expect(page.locator("#sync-badge")).to_have_text(SYNCED, timeout=8_000)
    [ticket] = _tickets(db, "照片很多的时候")
    assert _photo_count(db, ticket) == 1
