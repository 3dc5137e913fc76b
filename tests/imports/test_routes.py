"""The import pages: who may import what, upload → preview → apply, templates and exports, and the command."""
import io

import pytest
from python_calamine import CalamineWorkbook
from sqlmodel import func, select

from app.projects.models import Checkpoint
from tests.html import alert, soup, text
from tests.imports.helpers import INVENTORY_HEADER, checkpoints, xlsx


def _upload(client, project_id, kind, raw, name="points.xlsx", **extra):
    return client.post_form(f"/projects/{project_id}/imports/{kind}",
                            {"file": (io.BytesIO(raw), name), **extra}, content_type="multipart/form-data")


def _count(db, project_id):
    db.expire_all()
    return db.exec(select(func.count()).select_from(Checkpoint).where(Checkpoint.project_id == project_id)).one()


@pytest.mark.parametrize("who, kind, status", [
    ("admin", "checkpoints", 200), ("supervisor", "checkpoints", 200), ("supervisor", "inventory", 200),
    ("supervisor", "users", 403), ("supervisor", "scoresheet", 403), ("admin", "users", 200),
    ("frontdesk", "units", 200), ("frontdesk", "checkpoints", 403), ("guard", "checkpoints", 403),
    ("outsider", "checkpoints", 404), ("other_admin", "checkpoints", 404), ("admin", "nothing", 404),
])
def test_only_admins_and_the_project_s_supervisors_import(world, login_as, who, kind, status):
    assert login_as(who).get(f"/projects/{world.p1.id}/imports/{kind}").status_code == status


def test_the_index_lists_what_this_user_may_import(world, login_as):
    assert text(login_as("supervisor").get(f"/projects/{world.p1.id}/imports"), "#import-kinds h2") == [
        "区域和巡更点", "样板间物品清单", "房屋和业主"]


def test_upload_preview_then_apply_and_print_the_labels(world, db, login_as):
    client = login_as("admin")
    response = _upload(client, world.p1.id, "checkpoints", xlsx(checkpoints(30)))
    assert response.status_code == 200 and _count(db, world.p1.id) == 1
    assert text(response, "#import-counts") == ["新建 30,更新 0,不变 0,有问题 0。"]
    assert len(soup(response).select("#import-rows tbody tr")) == 30
    form = soup(response).select_one("#import-preview form")
    response = client.post_form(form["action"], {"token": form.select_one("[name=token]")["value"]})
    assert response.status_code == 200 and _count(db, world.p1.id) == 31
    labels = soup(response).select_one("#import-done a.btn-primary")["href"]
    assert labels == f"/projects/{world.p1.id}/labels.pdf" and client.get(labels).status_code == 200
    again = client.post_form(form["action"], {"token": form.select_one("[name=token]")["value"]})
    assert again.status_code == 409 and "已过期或文件已导入" in alert(again)  # applied once, not twice
    assert _count(db, world.p1.id) == 31


def test_a_refused_file_shows_every_bad_row_and_offers_no_apply(world, db, login_as):
    rows = checkpoints(5)
    rows[3][0] = ""
    response = _upload(login_as("supervisor"), world.p1.id, "checkpoints", xlsx(rows))
    assert response.status_code == 422
    assert text(response, "#import-refused li") == ["第 4 行 A 列:区域不能为空"]
    assert soup(response).select_one("[name=token]") is None


def test_a_token_is_for_its_own_user_kind_and_project(world, db, login_as):
    response = _upload(login_as("admin"), world.p1.id, "checkpoints", xlsx(checkpoints(2)))
    token = soup(response).select_one("[name=token]")["value"]
    other = login_as("supervisor")
    assert other.post_form(f"/projects/{world.p1.id}/imports/checkpoints/apply", {"token": token}).status_code == 409
    assert other.post_form(f"/projects/{world.p1.id}/imports/checkpoints/apply", {"token": "x"}).status_code == 409
    assert _count(db, world.p1.id) == 1


def test_a_file_that_is_not_a_workbook_is_refused_on_the_page(world, login_as):
    response = _upload(login_as("admin"), world.p1.id, "checkpoints", b"\x89PNG\r\n\x1a\n" + b"\x00" * 99, "a.xlsx")
    assert response.status_code == 422 and "不是 Excel 工作簿" in alert(response)


def test_the_template_has_the_header_an_example_and_notes_in_chinese(world, login_as):
    response = login_as("supervisor").get(f"/projects/{world.p1.id}/imports/inventory/template.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.data))
    assert book.sheet_names == ["物品清单", "说明"]
    assert book.get_sheet_by_index(0).to_python() == [INVENTORY_HEADER, ["家私", "三人位布艺沙发", "1", "客厅靠窗"]]
    notes = book.get_sheet_by_name("说明").to_python()
    assert notes[0] == ["列", "列名", "必填", "说明", "示例"] and notes[3][:3] == ["C", "数量", "是"]


def test_the_filled_template_imports(world, db, login_as, room_world):
    client = login_as("supervisor")
    template = client.get(f"/projects/{world.p1.id}/imports/inventory/template.xlsx").data
    room_id = room_world.rooms["p1"].id
    response = _upload(client, world.p1.id, "inventory", template, room_id=room_id)
    assert response.status_code == 200 and text(response, "#import-rows td")[1] == "家私 · 三人位布艺沙发 × 1"


def test_the_command_previews_with_dry_run_and_imports(app, db, world, tmp_path):
    path = tmp_path / "points.xlsx"
    path.write_bytes(xlsx(checkpoints(3)))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "checkpoints", str(path), "--project", str(world.p1.id), "--dry-run"])
    assert result.exit_code == 0 and "Dry run" in result.output and _count(db, world.p1.id) == 1
    result = runner.invoke(args=["import", "checkpoints", str(path), "--project", str(world.p1.id)])
    assert result.exit_code == 0 and "已导入 3 个巡更点。" in result.output and _count(db, world.p1.id) == 4
    path.write_bytes(xlsx(checkpoints(3) + [["", "无区域"]]))
    result = runner.invoke(args=["import", "checkpoints", str(path), "--project", str(world.p1.id)])
    assert result.exit_code == 1 and "第 5 行 A 列:区域不能为空" in result.output
