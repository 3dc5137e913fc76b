"""The two starter score sheets: built from seed 001's categories, totalling exactly 100 and 144; versions kept."""
import json

from app import create_app
from app.checklists import cli, services
from app.checklists.definition import iter_items
from app.checklists.models import ChecklistVersion
from app.core.db import get_session
from tests.html import soup

CATEGORIES = {"环境展示类", "职业表现类", "风险管理类", "工程进度告知类", "上次检查问题关闭情况"}


def _sheet(key):
    return services.parse_template_json((services.STARTERS / f"{key}.json").read_text(encoding="utf-8"))


def test_both_sheets_add_up_to_their_base_over_the_five_categories():
    for key, name, base, items in (("sales-inspection", "销售案场检查表", 100, (25, 45)),
                                   ("property-inspection", "物业案场检查表", 144, (70, 90))):
        sheet = _sheet(key)
        all_items = [item for _n, item in iter_items(sheet)]
        assert (sheet["name"], sheet["base_score"], sheet["score_sheet"]) == (name, base, True)
        assert sum(i["points"] for i in all_items) == base
        assert items[0] <= len(all_items) <= items[1]
        assert {i["category"] for i in all_items} == CATEGORIES
        assert sum(i["last_time"] for i in all_items) == 1 and any(i["veto"] for i in all_items)


def test_a_sheet_whose_points_do_not_add_up_is_refused_at_import_with_the_numbers(test_config, tmp_path, world):
    app = create_app(test_config)
    cli.init_app(app)
    broken = json.loads((services.STARTERS / "sales-inspection.json").read_text(encoding="utf-8"))
    broken["sections"][0]["items"][0]["points"] += 2
    path = tmp_path / "sales.json"
    path.write_text(json.dumps(broken, ensure_ascii=False, indent=2), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["templates", "import", str(path), "--organisation", "甲物业"])
    assert result.exit_code == 1 and "扣分项合计 102 分,与基础分 100 分不符。" in result.output


def test_an_inspection_keeps_the_version_it_was_scored_on(app, world, db, login_as):
    with app.app_context():
        [v1] = [v for v in services.import_starters(get_session(), organisation_id=world.org_a.id)
                if v.definition["key"] == "sales-inspection"]
        changed = v1.definition | {"name": "销售案场检查表(2026版)"}
        v2 = services.save_template(get_session(), actor=None, organisation_id=world.org_a.id, definition=changed)
    assert (v1.number, v2.number) == (1, 2)
    page = soup(login_as("inspector").get(f"/projects/{world.p1.id}/inspections/new"))
    toggles = {box["name"]: box["value"] for box in page.select("input[data-sheet-toggle]")}
    assert toggles[f"sheet-{v1.template_id}"] == str(v2.id)  # new visits: the current version
    assert db.get(ChecklistVersion, v1.id).definition["name"] == "销售案场检查表"  # the old one unchanged


def test_the_tablet_form_lists_both_sheets_areas_and_last_times_items(app, world, login_as):
    with app.app_context():
        services.import_starters(get_session(), organisation_id=world.org_a.id)
    page = soup(login_as("inspector").get(f"/projects/{world.p1.id}/inspections/new"))
    form = page.select_one("form#inspection-form")
    assert form["data-outbox-kind"] == "inspection" and form["data-project-id"] == str(world.p1.id)
    assert [s.get_text(" ", strip=True).split(" ")[0] for s in page.select(".score-total")] == ["物业案场检查表", "销售案场检查表"]
    # each area with its items left to answer, before any script runs (an area scored only from last time's
    # items has none: ✓); the count on the score bar is every item and last time's item, as inspection.js counts
    nav = [a.get_text(" ", strip=True) for a in page.select(".inspect-nav a")]
    assert "销售大厅 7" in nav and "上次检查问题关闭情况 ✓" in nav
    assert page.select_one('.inspect-nav a[href$="-s1"]:not(.done)') and len(page.select(".inspect-nav a.done")) == 2
    prior = page.select("#last-time .prior-item")
    assert world.deductions["p1"].label in prior[0].get_text()
    assert len(page.select(".inspect-item")) == 79 + 33
    questions = len(page.select(".inspect-item:not([data-last-time])"))
    assert page.select_one("#unanswered-count").get_text() == str(questions + len(prior))
    assert login_as("supervisor").get(f"/projects/{world.p1.id}/inspections/new").status_code == 403


def test_the_form_keeps_its_punctuation_inside_the_translated_text(app, world, db, login_as):
    # English pages showed "Jump to unanswered( 111 )" and "Team lead:钱品质": the brackets and the colon sat
    # outside the messages, so they stayed Chinese-style whatever the language.
    with app.app_context():
        services.import_starters(get_session(), organisation_id=world.org_a.id)
    world.users["inspector"].display_name = "<b>钱品质</b>"
    db.add(world.users["inspector"])
    db.commit()
    page = soup(login_as("inspector").get(f"/projects/{world.p1.id}/inspections/new"))
    jump = page.select_one("#jump-unanswered")
    left = jump.select_one("#unanswered-count").get_text()
    assert jump.get_text(strip=True) == f"跳到未答项({left})" and int(left) > 100
    lead = next(p for p in page.select("p") if p.get_text().startswith("组长"))
    assert lead.get_text() == "组长:<b>钱品质</b>" and lead.select_one("b") is None  # the name stays escaped
    note = page.select_one(".last-time-note")
    assert note.select_one("output.last-time-count") is not None
    assert " ".join(note.get_text().split()) == "由上方“上次检查问题关闭情况”自动计分:0 项未关闭"
