"""The checklist partial: one fieldset per item, names the services read, labels a screen reader (and
Playwright's get_by_label) can find, answers and errors shown back."""
import pytest
from flask import render_template

from app.checklists.services import STARTERS, iter_items, parse_template_json, validate_definition
from tests.factories import checklist_definition
from tests.html import soup

DEFINITION = validate_definition(checklist_definition())


@pytest.fixture
def render(app):
    def _render(definition=DEFINITION, **context):
        with app.test_request_context():
            html = render_template("checklists/_form.html", definition=definition, **context)
        return soup(app.response_class(html))

    return _render


def _label_of(page, field) -> str:
    """The text of the label a browser associates with a form control."""
    wrapping = field.find_parent("label")
    label = wrapping or page.select_one(f'label[for="{field["id"]}"]')
    return label.get_text(" ", strip=True) if label else ""


def test_every_item_is_a_fieldset_with_its_number_and_label_as_legend(render):
    page = render()
    for number, item in iter_items(DEFINITION):
        box = page.select_one(f"fieldset#item-{item['key']}-box")
        assert box.legend.get_text(" ", strip=True).startswith(f"{number}. {item['label']}")
    assert [h.get_text() for h in page.select(".checklist-section h2")] == ["消防设施", "设备房"]


def test_pass_fail_is_three_labelled_radio_buttons(render):
    box = render().select_one("#item-extinguisher-box")
    radios = box.select('.segmented input[type="radio"][name="item-extinguisher"]')
    assert [r["value"] for r in radios] == ["pass", "fail", "na"]
    assert [r.find_parent("label").get_text(strip=True) for r in radios] == ["合格", "不合格", "不适用"]
    assert all(r.has_attr("required") for r in radios)
    assert box.select_one("p.hint").get_text() == "压力表指针在绿区"


def test_a_pass_fail_item_has_a_camera_input_and_a_note(render):
    page = render()
    photo = page.select_one('#item-extinguisher-box input[type="file"]')
    assert (photo["name"], photo["accept"], photo["capture"]) == ("photo-extinguisher", "image/*", "environment")
    assert photo.has_attr("multiple")
    assert "不合格时须拍照" in _label_of(page, photo) and "灭火器齐全、压力正常" in _label_of(page, photo)
    note = page.select_one('#item-extinguisher-box input[name="note-extinguisher"]')
    assert _label_of(page, note).startswith("备注")
    other_photo = page.select_one('#item-exits-box input[type="file"]')
    assert other_photo["name"] == "photo-exits" and "不合格时须拍照" not in _label_of(page, other_photo)


def test_yes_no_is_two_labelled_radio_buttons(render):
    radios = render().select('#item-locked-box input[name="item-locked"]')
    assert [(r["value"], r.find_parent("label").get_text(strip=True)) for r in radios] == [("yes", "是"), ("no", "否")]


def test_a_number_is_a_decimal_input_labelled_with_its_range_and_unit(render):
    page = render()
    field = page.select_one('input[name="item-temp"]')
    assert field["inputmode"] == "decimal" and _label_of(page, field) == "配电房温度"
    described = [page.select_one(f"#{i}").get_text(strip=True) for i in field["aria-describedby"].split()]
    assert described == ["正常范围:0–40 ℃"]


def test_a_choice_is_one_radio_per_option(render):
    radios = render().select('#item-weather-box input[type="radio"]')
    assert [(r["name"], r["value"], r.find_parent("label").get_text(strip=True)) for r in radios] == [
        ("item-weather", "晴", "晴"), ("item-weather", "阴", "阴"), ("item-weather", "雨", "雨")]


def test_photo_and_text_items_and_optional_ones_are_marked(render):
    page = render()
    scene = page.select_one('input[name="photo-scene"]')
    assert _label_of(page, scene) == "现场照片" and not scene.has_attr("required")
    notes = page.select_one('textarea[name="item-notes"]')
    assert _label_of(page, notes) == "其他情况说明"
    assert "(选填)" in page.select_one("#item-notes-box legend").get_text()


def test_every_control_has_a_label(render):
    for path in STARTERS.glob("*.json"):
        page = render(parse_template_json(path.read_text(encoding="utf-8")))
        for field in page.select("input, textarea, select"):
            assert _label_of(page, field), (path.name, field.get("name"))


def test_a_prefix_goes_before_every_name_and_id(render):
    page = render(prefix="cp7-")
    names = {f["name"] for f in page.select("input, textarea")}
    assert {"cp7-item-extinguisher", "cp7-photo-extinguisher", "cp7-note-extinguisher", "cp7-item-temp"} <= names
    assert all(name.startswith("cp7-") for name in names)
    assert page.select_one("fieldset#cp7-item-temp-box") and page.select_one('label[for="cp7-item-temp"]')


def test_previous_answers_are_shown_again(render):
    page = render(values={"extinguisher": "fail", "temp": 45.0, "weather": "雨", "notes": "东门<灯>不亮"},
                  notes={"extinguisher": "压力不足"})
    assert page.select_one('input[name="item-extinguisher"][checked]')["value"] == "fail"
    assert page.select_one('input[name="item-temp"]')["value"] == "45"
    assert page.select_one('input[name="item-weather"][checked]')["value"] == "雨"
    assert page.select_one('textarea[name="item-notes"]').get_text() == "东门<灯>不亮"
    assert page.select_one('input[name="note-extinguisher"]')["value"] == "压力不足"


def test_an_error_is_shown_next_to_its_item(render):
    page = render(errors={"extinguisher": "不合格时须拍照。"})
    error = page.select_one("#item-extinguisher-box p.field-error")
    assert error["role"] == "alert" and error.get_text() == "不合格时须拍照。"
    radio = page.select_one('input[name="item-extinguisher"]')
    assert radio["aria-invalid"] == "true" and error["id"] in radio["aria-describedby"].split()
    assert len(page.select(".field-error")) == 1


def test_it_has_no_inline_script_or_style(render):
    page = render()
    # only the rules as inert data (type="application/json" never runs, and CSP allows no inline script)
    assert page.select('script:not([type="application/json"]), style, [style]') == []
    assert not any(attr.startswith("on") for tag in page.find_all(True) for attr in tag.attrs)


def test_a_signature_is_an_image_input_for_a_signature_pad(render):
    definition = validate_definition(checklist_definition(sections=[{"title": "交接", "items": [
        {"key": "sign", "label": "接班人签名", "type": "signature"}]}]))
    page = render(definition)
    field = page.select_one('input[name="photo-sign"]')
    assert field["type"] == "file" and field["accept"] == "image/*" and field.has_attr("data-signature")
    assert _label_of(page, field) == "接班人签名" and field.has_attr("required")


@pytest.mark.parametrize(("bounds", "shown"), [
    ({"min": 2.0}, "正常范围:不低于 2 m"), ({"max": 0.6}, "正常范围:不高于 0.6 m"), ({}, "单位:m")])
def test_a_number_shows_whatever_range_it_has(render, bounds, shown):
    definition = validate_definition(checklist_definition(sections=[{"title": "水池", "items": [
        {"key": "level", "label": "消防水池水位", "type": "number", "unit": "m", **bounds}]}]))
    page = render(definition)
    assert page.select_one("#item-level-range").get_text(strip=True) == shown


def test_a_number_without_unit_or_range_describes_nothing(render):
    definition = validate_definition(checklist_definition(sections=[{"title": "车场", "items": [
        {"key": "cars", "label": "场内车辆数", "type": "number"}]}]))
    page = render(definition)
    assert page.select_one("#item-cars-range") is None
    assert not page.select_one('input[name="item-cars"]').has_attr("aria-describedby")


def test_a_number_item_that_allows_it_has_a_not_applicable_box_before_the_reading(render):
    definition = checklist_definition()
    definition["sections"][1]["items"][2]["na_allowed"] = True  # temp
    page = render(validate_definition(definition), values={"temp": "na"})
    box, reading = page.select('[name="item-temp"]')
    assert box["type"] == "checkbox" and box["value"] == "na" and box.has_attr("checked")
    assert _label_of(page, box).startswith("不适用") and reading.has_attr("disabled") and reading["value"] == ""
    assert len(render().select('[name="item-temp"]')) == 1
