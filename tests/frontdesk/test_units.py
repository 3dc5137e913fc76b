"""Units and owners: how a unit is written and found, the type-ahead, phones masked by role, add and edit."""
import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.frontdesk import units
from app.frontdesk.models import Occupant, Unit
from tests.frontdesk import helpers
from tests.html import alert, soup


@pytest.mark.parametrize("typed, key, label", [
    ("3栋2单元1201", "3-2-1201", "3栋2单元1201"), ("3-2-1201", "3-2-1201", "3栋2单元1201"),
    ("3#2-1201", "3-2-1201", "3栋2单元1201"), (" 3 幢 2 单元 1201 室", "3-2-1201", "3栋2单元1201"),
    ("12号楼1501", "12-1501", "12栋1501"), ("a栋0302", "A-0302", "A栋0302"),
])
def test_a_unit_written_any_usual_way_has_one_key(typed, key, label):
    parts = units.parse_label(typed)
    assert (parts.key, parts.label) == (key, label)


@pytest.mark.parametrize("typed", ["", "1201", "三栋1201", "3栋2单元1201-5-6"])
def test_what_is_not_a_unit_does_not_parse(typed):
    assert units.parse_label(typed) is None


@pytest.fixture
def estate(world, db):
    helpers.unit(db, world.p1, "3栋2单元1201", owners=(("王先生", "13800138000"), ("李女士", "13912345678")))
    helpers.unit(db, world.p1, "3栋2单元1202", owners=(("赵先生", "13700001111"),))
    helpers.unit(db, world.p1, "5栋1单元1201", owners=())
    helpers.unit(db, world.p2, "3栋2单元1201", owners=(("别处业主", "13600000000"),))
    return world


def _labels(response) -> list[str]:
    return [b["data-label"] + "/" + b["data-name"] for b in soup(response).select("[data-pick-unit]")]


def test_the_lookup_finds_units_by_room_number_and_lists_each_occupant(estate, login_as):
    response = login_as("frontdesk").get(f"/projects/{estate.p1.id}/units/lookup?unit=1201", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert _labels(response) == ["3栋2单元1201/王先生", "3栋2单元1201/李女士", "5栋1单元1201/"]
    assert soup(response).select_one("[data-pick-unit]")["data-phone"] == "13800138000"


def test_the_lookup_finds_by_the_start_of_a_unit_and_by_phone_at_the_desk(estate, login_as):
    client = login_as("frontdesk")
    assert _labels(client.get(f"/projects/{estate.p1.id}/units/lookup?q=3栋2单元120")) == [
        "3栋2单元1201/王先生", "3栋2单元1201/李女士", "3栋2单元1202/赵先生"]
    assert _labels(client.get(f"/projects/{estate.p1.id}/units/lookup?q=1370000")) == ["3栋2单元1202/赵先生"]


@pytest.mark.parametrize("typed", ["1391234", "5678", "2345678", "13912345678"])
def test_a_phone_is_found_by_its_start_or_by_its_last_digits(estate, login_as, typed):
    assert _labels(login_as("frontdesk").get(f"/projects/{estate.p1.id}/units/lookup?q={typed}")) == [
        "3栋2单元1201/王先生", "3栋2单元1201/李女士"]


def test_a_phone_is_not_found_by_digits_from_its_middle(estate, login_as):
    """Only a start or an end is an index range (docs/frontdesk.md); "0000111" is inside 137-0000-1111."""
    assert _labels(login_as("frontdesk").get(f"/projects/{estate.p1.id}/units/lookup?q=0000111")) == []


def test_a_phone_changed_in_place_is_found_by_its_new_end(estate, db, login_as):
    occupant = db.exec(select(Occupant).where(Occupant.name == "赵先生")).one()
    occupant.phone = "+86 135 0000 9876"
    db.commit()
    assert (occupant.phone_key, occupant.phone_rev) == ("8613500009876", "6789000053168")
    client = login_as("frontdesk")
    assert _labels(client.get(f"/projects/{estate.p1.id}/units/lookup?q=9876")) == ["3栋2单元1202/赵先生"]
    assert _labels(client.get(f"/projects/{estate.p1.id}/units/lookup?q=1111")) == []


def _statements_of(app, call):
    """What `call()` returns, and the (statement, parameters) it ran."""
    engine, seen = app.extensions["engine"], []

    def note(_conn, _cursor, statement, parameters, *_args):
        seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        return call(), seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def test_the_lookup_by_phone_reads_index_ranges_not_the_projects_phones(estate, app, db):
    """EXPLAIN QUERY PLAN of each statement the lookup runs: no scan of a table, whatever the number of units."""
    if app.extensions["engine"].dialect.name != "sqlite":
        pytest.skip("the plans checked are SQLite's (EXPLAIN QUERY PLAN)")
    found, seen = _statements_of(app, lambda: units.lookup(db, estate.p1.id, "5678", roles={"frontdesk"}))
    assert [u.label for u in found] == ["3栋2单元1201"]
    plans = [row[-1] for statement, parameters in seen
             for row in db.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()]
    occupants = [step for step in plans if " occupant " in step]
    assert occupants == [  # a range on the start of the phone, one on its end (the project alone is a scan of it)
        "SEARCH occupant USING INDEX ix_occupant_project_phone (project_id=? AND phone_key>? AND phone_key<?)",
        "SEARCH occupant USING INDEX ix_occupant_project_phone_rev (project_id=? AND phone_rev>? AND phone_rev<?)"]
    assert not [step for step in plans if step.startswith("SCAN")], plans


def test_on_postgresql_each_prefix_of_the_lookup_is_a_condition_of_its_index(estate, app, db):
    """EXPLAIN of each statement the lookup runs (sequential scans off, as on a big table): the key's, the room's
    and the phone's start and end are each an index condition (text_pattern_ops), not a filter over the project's
    rows, whatever the database's collation."""
    if app.extensions["engine"].dialect.name != "postgresql":
        pytest.skip("the plans checked are PostgreSQL's")
    _found, seen = _statements_of(app, lambda: units.lookup(db, estate.p1.id, "1201", roles={"frontdesk"}))
    db.connection().exec_driver_sql("SET LOCAL enable_seqscan = off")
    conditions = " ".join(line for statement, parameters in seen
                          for (line,) in db.connection().exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
                          if "Index Cond" in line)
    for column in ("key", "room", "phone_key", "phone_rev"):
        assert f"({column})::text ~>=~" in conditions, (column, conditions)


def test_roles_that_do_not_call_back_see_phones_masked_and_cannot_search_by_them(estate, login_as):
    client = login_as("engineer")
    response = client.get(f"/projects/{estate.p1.id}/units/lookup?q=1202")
    choice = soup(response).select_one("[data-pick-unit]")
    assert choice["data-phone"] == "" and "137****1111" in choice.get_text()
    assert _labels(client.get(f"/projects/{estate.p1.id}/units/lookup?q=01111")) == []
    page = client.get(f"/projects/{estate.p1.id}/units?q=3-2-1202")
    assert "137****1111" in page.get_data(as_text=True) and "13700001111" not in page.get_data(as_text=True)
    assert soup(page).select("a[href$='/edit']") == []


def test_the_lookup_offers_to_add_a_unit_it_does_not_find(estate, login_as):
    response = login_as("frontdesk").get(f"/projects/{estate.p1.id}/units/lookup?q=9栋101")
    link = soup(response).select_one("li.empty a")
    assert link["href"].startswith(f"/projects/{estate.p1.id}/units/new?label=")


def test_a_unit_is_added_with_its_owners_and_the_form_is_filled_from_a_label(estate, db, login_as):
    client = login_as("frontdesk")
    form = soup(client.get(f"/projects/{estate.p1.id}/units/new?label=9栋1单元101"))
    assert [form.select_one(f"#{n}")["value"] for n in ("building", "unit_no", "room")] == ["9", "1", "101"]
    response = client.post_form(f"/projects/{estate.p1.id}/units", {
        "building": "9", "unit_no": "1", "room": "101", "names": "周先生、周太太", "phones": "13500001234"})
    assert response.status_code == 302
    saved = db.exec(select(Unit).where(Unit.project_id == estate.p1.id, Unit.key == "9-1-101")).one()
    people = db.exec(select(Occupant).where(Occupant.unit_id == saved.id).order_by(Occupant.position)).all()
    assert [(o.name, o.phone) for o in people] == [("周先生", "13500001234"), ("周太太", "")]


def test_a_unit_that_exists_is_not_added_twice(estate, db, login_as):
    response = login_as("supervisor").post_form(f"/projects/{estate.p1.id}/units", {
        "building": "3栋", "unit_no": "2单元", "room": "1201", "names": "某人"})
    assert response.status_code == 409 and alert(response) == "房号 3栋2单元1201 已存在。"
    assert db.exec(select(Unit).where(Unit.project_id == estate.p1.id)).all().__len__() == 3


def test_editing_a_unit_replaces_its_owners(estate, db, login_as):
    unit = helpers.unit(db, estate.p1, "3栋2单元1202")
    client = login_as("frontdesk")
    assert client.get(f"/units/{unit.id}/edit").status_code == 200
    response = client.post_form(f"/units/{unit.id}", {"building": "3", "unit_no": "2", "room": "1202",
                                                      "names": "新业主", "phones": "13611112222"})
    assert response.status_code == 302
    assert [(o.name, o.phone_key, o.phone_rev) for o in db.exec(select(Occupant).where(Occupant.unit_id == unit.id))] == [
        ("新业主", "13611112222", "22221111631")]


def test_only_the_desk_and_supervisors_edit_units(estate, db, login_as):
    unit = helpers.unit(db, estate.p1, "3栋2单元1202")
    client = login_as("guard")
    assert client.get(f"/units/{unit.id}/edit").status_code == 403
    assert client.post_form(f"/projects/{estate.p1.id}/units", {"building": "1", "room": "1"}).status_code == 403


def test_a_bad_phone_is_refused_with_the_field(estate, login_as):
    response = login_as("frontdesk").post_form(f"/projects/{estate.p1.id}/units", {
        "building": "8", "room": "101", "names": "周先生", "phones": "打电话"})
    assert response.status_code == 422 and alert(response) == "电话“打电话”不是有效的号码。"
