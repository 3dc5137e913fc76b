"""`flask templates import | export`: a file in, a version out, and back again."""
import json

import pytest
from sqlmodel import select

from app import create_app
from app.checklists import cli
from app.checklists.models import ChecklistTemplate, ChecklistVersion
from tests import factories


@pytest.fixture
def runner(test_config):
    """A runner on an app of its own, with the templates commands added by the package's init_app."""
    app = create_app(test_config)
    cli.init_app(app)
    return app.test_cli_runner()


@pytest.fixture
def template_file(tmp_path):
    path = tmp_path / "night.json"
    path.write_text(json.dumps(factories.checklist_definition(), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def _versions(db) -> list[int]:
    db.expire_all()
    return [v.number for v in db.exec(select(ChecklistVersion).order_by(ChecklistVersion.number)).all()]


def test_import_prints_the_key_and_version_and_a_second_import_changes_nothing(runner, db, world, template_file):
    result = runner.invoke(args=["templates", "import", str(template_file), "--organisation", "甲物业"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "night-patrol version 1"
    again = runner.invoke(args=["templates", "import", str(template_file), "--organisation", "甲物业"])
    assert again.output.strip() == "night-patrol version 1 (unchanged)"
    assert _versions(db) == [1]


def test_an_edited_file_becomes_version_2(runner, db, world, template_file):
    runner.invoke(args=["templates", "import", str(template_file), "--organisation", "甲物业"])
    edited = factories.checklist_definition(name="夜间安全巡逻(冬季)")
    template_file.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["templates", "import", str(template_file), "--organisation", "甲物业"])
    assert result.output.strip() == "night-patrol version 2"
    assert db.exec(select(ChecklistTemplate)).one().name == "夜间安全巡逻(冬季)"


def test_export_then_import_round_trips(runner, db, world, template_file, tmp_path):
    runner.invoke(args=["templates", "import", str(template_file), "--organisation", "甲物业"])
    out = tmp_path / "exported.json"
    result = runner.invoke(args=["templates", "export", "night-patrol", "--organisation", "甲物业", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "夜间安全巡逻" in text and text.startswith('{\n  "key": "night-patrol",')  # readable: no \u escapes
    assert json.loads(text) == db.exec(select(ChecklistVersion)).one().definition
    again = runner.invoke(args=["templates", "import", str(out), "--organisation", "甲物业"])
    assert again.output.strip() == "night-patrol version 1 (unchanged)"


def test_export_prints_to_stdout_without_a_file(runner, world, template_file):
    runner.invoke(args=["templates", "import", str(template_file), "--organisation", "甲物业"])
    result = runner.invoke(args=["templates", "export", "night-patrol", "--organisation", "甲物业"])
    assert json.loads(result.stdout)["name"] == "夜间安全巡逻"


def test_a_broken_file_prints_each_error_with_its_line_and_fails(runner, db, world, tmp_path):
    broken = factories.checklist_definition()
    broken["sections"][0]["items"][0]["type"] = "checkbox"
    broken["sections"][1]["items"][2]["min"] = 50
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken, ensure_ascii=False, indent=2), encoding="utf-8")
    result = runner.invoke(args=["templates", "import", str(path), "--organisation", "甲物业"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{path}: 第 9 行:第 1 节第 1 项(key=extinguisher):未知类型“checkbox”")
    assert lines[1] == f"{path}: 第 38 行:第 2 节第 3 项(key=temp):min 大于 max。"
    assert db.exec(select(ChecklistTemplate)).first() is None


def test_a_json_syntax_error_is_reported_with_its_line(runner, world, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "key": "x",\n  "name": "检查"\n  "sections": []\n}\n', encoding="utf-8")
    result = runner.invoke(args=["templates", "import", str(path), "--organisation", "甲物业"])
    assert result.exit_code == 1 and "第 4 行:JSON 语法错误" in result.stderr


def test_the_only_organisation_is_the_default_and_several_need_a_name(runner, db, template_file):
    factories.org(db, "甲物业")
    assert runner.invoke(args=["templates", "import", str(template_file)]).exit_code == 0
    factories.org(db, "乙物业")
    result = runner.invoke(args=["templates", "import", str(template_file)])
    assert result.exit_code != 0 and "--organisation" in result.output
    assert "No organisation named 丙物业" in runner.invoke(
        args=["templates", "import", str(template_file), "--organisation", "丙物业"]).output


def test_exporting_an_unknown_key_fails(runner, world):
    result = runner.invoke(args=["templates", "export", "no-such", "--organisation", "甲物业"])
    assert result.exit_code != 0 and "No template with key no-such" in result.output
