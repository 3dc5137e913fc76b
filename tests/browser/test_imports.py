"""A supervisor on a 1024×768 tablet imports a sample room's 120-item inventory: a bad file is refused with its
line and column, the corrected one is previewed row by row and applied whole."""
from playwright.sync_api import expect
from sqlmodel import Session

from app.handovers import inventory
from app.handovers.models import Room
from tests import factories
from tests.browser.helpers import log_in
from tests.factories import engine_of
from tests.handovers import builders
from tests.imports.helpers import INVENTORY_HEADER, xlsx

TABLET = {"viewport": {"width": 1024, "height": 768}, "locale": "zh-CN", "has_touch": True}


def test_a_supervisor_imports_a_120_item_inventory_with_a_preview(browser, live_server, app, world, db, tmp_path):
    with Session(engine_of(app), expire_on_commit=False) as session:
        room = builders.room(session, world.p1, "A户型样板间", items=[])
    rows = [INVENTORY_HEADER] + [[["灯具", "家私", "餐具", "寝具", "饰品"][n % 5], f"物品{n + 1}", n % 3 + 1, "客厅"]
                                 for n in range(120)]
    bad = [row[:] for row in rows]
    bad[6][2] = "两个"
    (tmp_path / "bad.xlsx").write_bytes(xlsx(bad))
    (tmp_path / "inventory.xlsx").write_bytes(xlsx(rows))
    context = browser.new_context(**TABLET, base_url=live_server)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, "supervisor", factories.PASSWORD)
    page.goto(f"/projects/{world.p1.id}/rooms")
    page.get_by_role("link", name="从 Excel 导入清单").click()
    expect(page.get_by_role("heading", name="导入:样板间物品清单")).to_be_visible()
    expect(page.get_by_label("样板间")).to_have_value(str(room.id))

    page.get_by_label("Excel 文件(.xlsx)或 CSV").set_input_files(str(tmp_path / "bad.xlsx"))
    page.get_by_role("button", name="预览").click()
    expect(page.locator("#import-refused li")).to_have_text(["第 7 行 C 列:数量须为正整数"])
    expect(page.get_by_role("button", name="确认导入 120 行")).to_have_count(0)

    page.get_by_label("Excel 文件(.xlsx)或 CSV").set_input_files(str(tmp_path / "inventory.xlsx"))
    page.get_by_role("button", name="预览").click()
    expect(page.locator("#import-counts")).to_have_text("新建 120,更新 0,不变 0,有问题 0。")
    expect(page.locator("#import-rows tbody tr")).to_have_count(120)
    db.expire_all()
    assert inventory.items_of(db, db.get(Room, room.id)) == []  # the preview wrote nothing
    page.get_by_role("button", name="确认导入 120 行").click()
    expect(page.locator("#import-done").get_by_role("status")).to_have_text("已导入 120 件物品到“A户型样板间”。")
    page.get_by_role("link", name="查看清单,补拍参照照片").click()
    expect(page.get_by_text("物品120")).to_be_visible()
    db.expire_all()
    assert len(inventory.items_of(db, db.get(Room, room.id))) == 120
    context.close()
