"""Projects, areas and checkpoints: creation, inline htmx editing, refusals, audit entries."""
import io

from pypdf import PdfReader
from sqlmodel import select

from app.core.audit import AuditLog
from app.projects.models import Area, Checkpoint, Project
from tests import factories
from tests.html import alert, soup, text


def test_admin_creates_a_project(login_as, db, world):
    response = login_as("admin").post_form("/projects", {"name": "光谷新城", "kind": "residential", "address": "武汉"})
    project = db.exec(select(Project).where(Project.name == "光谷新城")).one()
    assert response.headers["Location"] == f"/projects/{project.id}"
    assert project.organisation_id == world.org_a.id
    assert db.exec(select(AuditLog.action).where(AuditLog.project_id == project.id)).all() == ["project.create"]


def test_a_duplicate_project_name_is_refused(login_as, world):
    response = login_as("admin").post_form("/projects", {"name": "江城壹号销售中心", "kind": "sales"})
    assert response.status_code == 400 and alert(response) == "已有同名项目:江城壹号销售中心。"


def test_only_admins_create_projects(login_as):
    assert login_as("supervisor").post_form("/projects", {"name": "x", "kind": "sales"}).status_code == 403


def test_a_supervisor_adds_an_area_and_gets_its_fragment(login_as, db, world):
    response = login_as("supervisor").post_form(f"/projects/{world.p1.id}/areas", {"name": "样板间A"}, htmx=True)
    area = db.exec(select(Area).where(Area.name == "样板间A")).one()
    section = soup(response).select_one("section")
    assert section["id"] == f"area-{area.id}" and section.h2.get_text() == "样板间A"


def test_an_empty_area_name_is_refused_in_place(login_as, db, world):
    response = login_as("supervisor").post_form(f"/projects/{world.p1.id}/areas", {"name": "  "}, htmx=True)
    assert response.status_code == 400 and alert(response) == "请填写区域名称。"
    assert soup(response).select_one("section")["id"] == "area-new"


def test_a_guard_cannot_edit_areas(login_as, world):
    guard = login_as("guard")
    assert guard.post_form(f"/projects/{world.p1.id}/areas", {"name": "x"}).status_code == 403
    assert guard.get(f"/areas/{world.areas['p1'].id}/edit").status_code == 403
    page = soup(guard.get(f"/projects/{world.p1.id}"))
    assert page.select("form[action$='/delete']") == [] and page.select_one("#area-new") is None


def test_renaming_an_area_inline(login_as, db, world):
    client = login_as("supervisor")
    area_id = world.areas["p1"].id
    form = soup(client.get(f"/areas/{area_id}/edit", headers={"HX-Request": "true"}))
    assert form.select_one("input[name=name]")["value"] == world.areas["p1"].name
    response = client.post_form(f"/areas/{area_id}", {"name": "新大厅"}, htmx=True)
    assert soup(response).select_one("section")["id"] == f"area-{area_id}"
    db.expire_all()
    assert db.get(Area, area_id).name == "新大厅"
    entry = db.exec(select(AuditLog).where(AuditLog.action == "area.update")).one()
    assert entry.before["name"] == world.areas["p1"].name and entry.after["name"] == "新大厅"


def test_an_area_with_checkpoints_cannot_be_deleted(login_as, db, world):
    response = login_as("supervisor").post_form(f"/areas/{world.areas['p1'].id}/delete", htmx=True)
    assert response.status_code == 400 and "还有 1 个巡更点" in alert(response)
    assert db.get(Area, world.areas["p1"].id) is not None


def test_an_empty_area_is_deleted(login_as, db, world):
    area = factories.area(db, world.p1, "空区域")
    response = login_as("supervisor").post_form(f"/areas/{area.id}/delete", htmx=True)
    assert response.status_code == 200 and response.get_data() == b""
    db.expunge_all()
    assert db.get(Area, area.id) is None


def test_adding_a_checkpoint_gives_it_a_random_code(login_as, db, world):
    area = world.areas["p1"]
    response = login_as("supervisor").post_form(f"/projects/{world.p1.id}/checkpoints",
                                                {"area_id": area.id, "name": "消防通道"}, htmx=True)
    assert "消防通道" in text(response, f"#area-{area.id} li strong")
    checkpoint = db.exec(select(Checkpoint).where(Checkpoint.name == "消防通道")).one()
    assert len(checkpoint.code) == 16 and checkpoint.code != world.checkpoints["p1"].code


def test_a_checkpoint_cannot_be_put_in_another_projects_area(login_as, db, world):
    response = login_as("supervisor").post_form(f"/projects/{world.p1.id}/checkpoints",
                                                {"area_id": world.areas["p2"].id, "name": "偷渡"})
    assert response.status_code == 302
    assert db.exec(select(Checkpoint).where(Checkpoint.name == "偷渡")).first() is None


def test_checkpoint_edit_validates_coordinates(login_as, db, world):
    checkpoint = world.checkpoints["p1"]
    client = login_as("supervisor")
    base = {"area_id": checkpoint.area_id, "name": checkpoint.name}
    for extra, message in [({"latitude": "91", "longitude": "114"}, "纬度须在 -90 到 90 之间。"),
                           ({"latitude": "30.5", "longitude": ""}, "经纬度须同时填写或同时留空。"),
                           ({"latitude": "北纬", "longitude": "114"}, "纬度须为数字。")]:
        response = client.post_form(f"/checkpoints/{checkpoint.id}", {**base, **extra}, htmx=True)
        assert response.status_code == 400 and alert(response) == message
    response = client.post_form(f"/checkpoints/{checkpoint.id}", {**base, "latitude": "30.5", "longitude": "114.3",
                                                                   "note": "门后"}, htmx=True)
    assert response.status_code == 200
    db.expire_all()
    saved = db.get(Checkpoint, checkpoint.id)
    assert (saved.latitude, saved.longitude, saved.note) == (30.5, 114.3, "门后")


def test_user_text_is_escaped(login_as, db, world):
    client = login_as("supervisor")
    client.post_form(f"/projects/{world.p1.id}/areas", {"name": "<script>alert(1)</script>"})
    body = client.get(f"/projects/{world.p1.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_label_sheet_pdf_names_each_checkpoint_in_chinese(login_as, db, world):
    second = factories.checkpoint(db, world.areas["p1"], "样板间A 主卧")
    response = login_as("supervisor").get(f"/projects/{world.p1.id}/labels.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    content = "".join(page.extract_text() for page in reader.pages).replace("\n", "")  # long names wrap
    for expected in ("江城壹号销售中心", world.areas["p1"].name, world.checkpoints["p1"].name, second.name, second.code):
        assert expected in content
    assert "秘密二号项目" not in content


def test_scanning_a_label_with_the_phone_camera_opens_its_checkpoint(login_as, world):
    checkpoint = world.checkpoints["p1"]
    response = login_as("guard").get(f"/c/{checkpoint.code.lower()}")
    assert response.headers["Location"] == f"/projects/{world.p1.id}#checkpoint-{checkpoint.id}"


def test_a_foreign_label_is_named_as_such(login_as, world):
    response = login_as("guard").get(f"/c/{world.checkpoints['p2'].code}")
    assert response.status_code == 404 and "不是您所在项目的巡更点" in alert(response)
