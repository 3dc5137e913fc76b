"""Saving templates: a new version per real edit, old versions untouched, starters imported once."""
import copy
import json

import pytest
from sqlmodel import func, select

from app.checklists import services
from app.checklists.models import ChecklistTemplate, ChecklistVersion
from app.core.audit import AuditLog
from app.core.db import get_session
from tests import factories


def _edited(definition: dict) -> dict:
    edited = copy.deepcopy(definition)
    edited["sections"][1]["items"][2]["max"] = 35
    return edited


def test_a_new_key_creates_the_template_at_version_1(ctx, world):
    session = get_session()
    version = services.save_template(session, actor=world.users["admin"], organisation_id=world.org_a.id,
                                     definition=factories.checklist_definition())
    template = session.get(ChecklistTemplate, version.template_id)
    assert (template.key, template.name, template.purpose, template.organisation_id) == (
        "night-patrol", "夜间安全巡逻", "patrol", world.org_a.id)
    assert version.number == 1 and template.current_version_id == version.id
    assert services.current_version(session, template).id == version.id
    entry = session.exec(select(AuditLog).where(AuditLog.action == "template.create")).one()
    assert (entry.actor_id, entry.organisation_id, entry.object_id) == (world.users["admin"].id, world.org_a.id,
                                                                        template.id)
    assert entry.after["version"] == 1


def test_an_edit_makes_version_2_and_leaves_version_1_as_it_was(ctx, world, db):
    session = get_session()
    first = factories.checklist(session, world.org_a)
    kept_by_a_record = first.id  # a filled checklist stores the version it was filled on
    second = services.save_template(session, actor=world.users["admin"], organisation_id=world.org_a.id,
                                    definition=_edited(first.definition))
    assert second.number == 2 and second.template_id == first.template_id
    assert session.get(ChecklistTemplate, first.template_id).current_version_id == second.id
    old = db.get(ChecklistVersion, kept_by_a_record)  # re-read from the database, not from the session
    assert old.number == 1 and old.definition["sections"][1]["items"][2]["max"] == 40
    assert services.get_version(session, kept_by_a_record).definition == first.definition
    entry = session.exec(select(AuditLog).where(AuditLog.action == "template.version")).one()
    assert entry.before["version"] == 1 and entry.after["version"] == 2


def test_saving_the_same_definition_again_creates_no_version(ctx, world):
    session = get_session()
    first = factories.checklist(session, world.org_a)
    spelled_out = services.validate_definition(factories.checklist_definition())  # defaults written out: same meaning
    again = services.save_template(session, actor=None, organisation_id=world.org_a.id, definition=spelled_out)
    assert again.id == first.id
    assert session.exec(select(func.count()).select_from(ChecklistVersion)).one() == 1
    assert session.exec(select(func.count()).select_from(AuditLog).where(AuditLog.object_type == "checklisttemplate")
                        ).one() == 1


def test_the_name_and_purpose_follow_the_current_version(ctx, world):
    session = get_session()
    factories.checklist(session, world.org_a)
    renamed = factories.checklist_definition(name="夜间巡逻(冬季)", purpose="other")
    version = services.save_template(session, actor=None, organisation_id=world.org_a.id, definition=renamed)
    template = session.get(ChecklistTemplate, version.template_id)
    assert (template.name, template.purpose, version.number) == ("夜间巡逻(冬季)", "other", 2)


def test_the_same_key_in_another_organisation_is_another_template(ctx, world):
    session = get_session()
    mine, theirs = factories.checklist(session, world.org_a), factories.checklist(session, world.org_b)
    assert mine.template_id != theirs.template_id and theirs.number == 1


def test_an_invalid_definition_saves_nothing(ctx, world):
    session = get_session()
    broken = factories.checklist_definition(purpose="nonsense")
    with pytest.raises(services.TemplateError, match="purpose“nonsense”无效"):
        services.save_template(session, actor=None, organisation_id=world.org_a.id, definition=broken)
    assert session.exec(select(func.count()).select_from(ChecklistTemplate)).one() == 0


def test_templates_are_listed_by_purpose_without_the_archived_ones(ctx, world):
    session = get_session()
    night = factories.checklist(session, world.org_a)
    services.import_starters(session, organisation_id=world.org_a.id)
    factories.checklist(session, world.org_b, factories.checklist_definition(key="theirs"))
    archived = session.get(ChecklistTemplate, night.template_id)
    archived.archived = True
    session.commit()

    def keys(stmt) -> list[str]:
        return [t.key for t in session.exec(stmt).all()]

    assert sorted(keys(services.templates_stmt(world.org_a.id, "engineering"))) == [
        "engineering-round", "fire-monthly", "lift-monthly"]
    patrols = keys(services.templates_stmt(world.org_a.id, "patrol"))
    assert sorted(patrols) == ["car-park-post", "cleaning-indoor", "fire-safety", "greening", "outdoor-environment",
                               "renovation-patrol"]
    assert "night-patrol" in keys(services.templates_stmt(world.org_a.id, include_archived=True))
    assert "theirs" not in keys(services.templates_stmt(world.org_a.id))


def test_an_exported_definition_imports_back_unchanged(ctx, world):
    session = get_session()
    first = factories.checklist(session, world.org_a)
    template = session.get(ChecklistTemplate, first.template_id)
    exported = services.export_template(session, template)
    assert exported == first.definition
    text = json.dumps(exported, ensure_ascii=False, indent=2)
    again = services.save_template(session, actor=None, organisation_id=world.org_a.id,
                                   definition=services.parse_template_json(text))
    assert again.id == first.id


# -- starters ---------------------------------------------------------------------------------------

STARTER_KEYS = ["car-park-post", "cleaning-indoor", "engineering-round", "fire-monthly", "fire-safety", "greening",
                "lift-monthly", "night-patrol", "outdoor-environment", "property-inspection", "renovation-patrol",
                "sales-inspection", "sample-room-closing", "sample-room-opening"]
SCORE_SHEETS = ("property-inspection", "sales-inspection")  # checked in tests/inspections/test_starters.py


def test_every_starter_is_a_valid_realistic_checklist(ctx):
    for path in sorted(services.STARTERS.glob("*.json")):
        if path.stem in SCORE_SHEETS:
            continue
        definition = services.parse_template_json(path.read_text(encoding="utf-8"))
        items = [item for _n, item in services.iter_items(definition)]
        kinds = [item["type"] for item in items]
        assert definition["key"] == path.stem and not definition["score_sheet"], path.name
        assert 2 <= len(definition["sections"]) <= 4 and 6 <= len(items) <= 15, path.name
        assert kinds.count("pass_fail") > len(items) / 2 and "choice" in kinds, path.name
        assert any(i["type"] == "number" and i["min"] is not None and i["max"] is not None for i in items), path.name
        assert any(i["type"] == "text" and not i["required"] for i in items), path.name
        assert any(i["photo_when_failed"] for i in items) and any(i["creates_ticket"] for i in items), path.name
    assert sorted(p.stem for p in services.STARTERS.glob("*.json")) == STARTER_KEYS


def test_importing_the_starters_twice_creates_no_new_versions(ctx, world):
    session = get_session()
    first = services.import_starters(session, organisation_id=world.org_a.id)
    assert sorted(session.get(ChecklistTemplate, v.template_id).key for v in first) == STARTER_KEYS
    assert {v.number for v in first} == {1}
    again = services.import_starters(session, organisation_id=world.org_a.id)
    assert [v.id for v in again] == [v.id for v in first]
    assert session.exec(select(func.count()).select_from(ChecklistVersion)).one() == len(STARTER_KEYS)


def test_importing_the_starters_keeps_an_edited_starter(ctx, world):
    session = get_session()
    night = next(v for v in services.import_starters(session, organisation_id=world.org_a.id)
                 if v.definition["key"] == "night-patrol")
    edited = services.save_template(session, actor=None, organisation_id=world.org_a.id,
                                    definition=factories.checklist_definition(name="本项目夜巡"))
    assert edited.template_id == night.template_id and edited.number == 2
    services.import_starters(session, organisation_id=world.org_a.id)
    template = session.get(ChecklistTemplate, night.template_id)
    assert template.current_version_id == edited.id and template.name == "本项目夜巡"


def test_deleting_an_organisation_deletes_its_templates_and_versions(ctx, world, db):
    session = get_session()
    first = factories.checklist(session, world.org_b)
    services.save_template(session, actor=None, organisation_id=world.org_b.id, definition=_edited(first.definition))
    mine = factories.checklist(session, world.org_a)
    db.delete(db.get(type(world.org_b), world.org_b.id))
    db.commit()
    assert [t.id for t in db.exec(select(ChecklistTemplate)).all()] == [mine.template_id]
    assert [v.id for v in db.exec(select(ChecklistVersion)).all()] == [mine.id]


def test_each_checkpoint_starter_asks_only_what_fits_its_checkpoint(ctx):
    for path in sorted(services.CHECKPOINT_STARTERS.glob("*.json")):
        definition = services.parse_template_json(path.read_text(encoding="utf-8"))
        items = [item for _n, item in services.iter_items(definition)]
        assert definition["key"] == path.stem and definition["purpose"] == "patrol", path.name
        assert 3 <= len(items) <= 6, path.name
        assert all(i["na_allowed"] for i in items if i["type"] == "number" and i["required"] and i["key"] == "pool-level")
    assert {p.stem for p in services.CHECKPOINT_STARTERS.glob("*.json")} >= {
        "checkpoint-car-park", "checkpoint-fountain", "checkpoint-fire-exit", "checkpoint-switch-room",
        "checkpoint-perimeter"}
