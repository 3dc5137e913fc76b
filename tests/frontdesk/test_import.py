"""Units from a CSV file: previewed, then applied whole or not at all; bad lines named by number."""
import io

from sqlmodel import func, select

from app.frontdesk import importing
from app.frontdesk.models import Occupant, Unit
from tests.frontdesk import helpers
from tests.html import soup, text

GOOD = "楼栋,单元,房号,业主,电话\n3,2,1201,王先生,13800138000\n3,2,1201,李女士,13912345678\n3,2,1202,赵先生、赵太太,13700001111\n"


def _upload(client, project_id, content: bytes, **extra):
    return client.post_form(f"/projects/{project_id}/units/import",
                            {"file": (io.BytesIO(content), "units.csv"), **extra}, content_type="multipart/form-data")


def _count(db, model):
    db.expire_all()
    return db.exec(select(func.count()).select_from(model)).one()


def test_reading_merges_rows_of_one_unit_and_checks_each_line(app):
    with app.test_request_context():
        reading = importing.read_csv(GOOD.encode() + "3,,,无房号,\n".encode())
    assert [(r.line, r.parts.key, r.occupants) for r in reading.rows] == [
        (2, "3-2-1201", [("王先生", "13800138000")]), (3, "3-2-1201", [("李女士", "13912345678")]),
        (4, "3-2-1202", [("赵先生", "13700001111"), ("赵太太", "")])]
    assert reading.errors == [(5, "请填写房号。")]


def test_a_good_file_is_previewed_then_applied(world, db, login_as):
    client = login_as("frontdesk")
    response = _upload(client, world.p1.id, GOOD.encode())
    assert response.status_code == 200 and _count(db, Unit) == 0  # a preview saves nothing
    assert text(response, "#import-preview p")[0] == "新增 2 户,更新 0 户。"
    content = soup(response).select_one("textarea[name=content]").get_text()
    response = client.post_form(f"/projects/{world.p1.id}/units/import", {"content": content, "confirm": "1"})
    assert response.status_code == 302
    assert _count(db, Unit) == 2 and _count(db, Occupant) == 4


def test_a_unit_already_there_is_updated_not_doubled(world, db, login_as):
    helpers.unit(db, world.p1, "3栋2单元1201", owners=(("旧业主", "13000000000"),))
    client = login_as("supervisor")
    response = _upload(client, world.p1.id, GOOD.encode(), confirm="1")
    assert response.status_code == 302
    unit = db.exec(select(Unit).where(Unit.key == "3-2-1201")).one()
    assert [o.name for o in db.exec(select(Occupant).where(Occupant.unit_id == unit.id).order_by(Occupant.position))] == [
        "王先生", "李女士"]


def test_one_bad_line_stops_the_whole_file_and_every_bad_line_is_named(world, db, login_as):
    bad = GOOD + "3,2,12-01,钱先生,13800000000\n4,1,101,孙先生,不是电话\n"
    client = login_as("frontdesk")
    response = _upload(client, world.p1.id, bad.encode())
    assert response.status_code == 422
    assert text(response, ".import-errors li") == [
        "第 5 行:楼栋、单元和房号只能用数字和字母,如 3 栋 2 单元 1201。", "第 6 行:电话“不是电话”不是有效的号码。"]
    assert soup(response).select("textarea[name=content]") == []  # nothing to confirm
    response = _upload(client, world.p1.id, bad.encode(), confirm="1")  # forced: still all or nothing
    assert response.status_code == 422 and _count(db, Unit) == 0 and _count(db, Occupant) == 0


def test_a_file_saved_by_excel_as_gbk_is_read(world, db, login_as):
    response = _upload(login_as("frontdesk"), world.p1.id, GOOD.encode("gb18030"), confirm="1")
    assert response.status_code == 302 and _count(db, Unit) == 2


def test_a_file_without_a_room_column_is_refused_as_a_whole(world, db, login_as):
    response = _upload(login_as("frontdesk"), world.p1.id, "姓名,电话\n王,138\n".encode())
    assert response.status_code == 422
    assert text(response, ".form-error") == ["第 1 行须是表头,至少含“房号”(或“房屋”)一列。"]


def test_a_label_column_may_stand_for_building_unit_and_room(world, db, login_as):
    content = "房屋,业主,电话,关系\n5栋1单元0801,周先生,13500001234,租户\n".encode()
    assert _upload(login_as("frontdesk"), world.p1.id, content, confirm="1").status_code == 302
    assert db.exec(select(Occupant.relation)).one() == "tenant"


def test_only_editors_import(world, login_as):
    assert _upload(login_as("engineer"), world.p1.id, GOOD.encode()).status_code == 403
