"""The phone's rules come from the definition the server checks with."""
from app.checklists.definition import validate_definition
from app.checklists.rules import phone_rules
from tests.factories import checklist_definition


def test_the_phone_gets_every_item_with_its_number_and_the_servers_messages(app):
    definition = validate_definition(checklist_definition(sections=[
        {"title": "一", "items": [{"key": "door", "label": "消防门", "type": "pass_fail", "photo_when_failed": True}]},
        {"title": "二", "items": [{"key": "level", "label": "水位", "type": "number", "min": 0, "max": 2}]}]))
    with app.test_request_context():
        rules = phone_rules(definition)
    assert [(i["number"], i["key"], i["type"]) for i in rules["items"]] == [(1, "door", "pass_fail"), (2, "level", "number")]
    assert rules["items"][0]["photo_when_failed"] is True and rules["items"][1]["max"] == 2
    assert rules["messages"]["item"] == "第 {n} 项“{label}”{problem}"
    assert rules["messages"]["too_long"] == "不能超过 {n} 字。"
