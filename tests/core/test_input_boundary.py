"""One input boundary: malformed bodies are a 400, text with NUL or lone surrogates a 422 in the user's
language, numbers bounded to what the database holds: never a 500, on SQLite as on PostgreSQL."""
import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.db import utcnow
from tests.html import alert, text

BOUNDARY = "xYzBoUnDaRy"


def _multipart(parts: list[bytes]) -> bytes:
    body = b"".join(b"--" + BOUNDARY.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    return body + b"--" + BOUNDARY.encode() + b"--\r\n"


def _post_raw(client, url: str, body: bytes, **headers):
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}", headers=headers)


@pytest.mark.parametrize("disposition", [
    b'Content-Disposition: form-data',  # no name at all
    b'Content-Disposition: form-data; name="a\\"',  # a name whose quote is escaped away
    b'Content-Disposition: form-data; filename="x.jpg"',
    b'Content-Disposition: attachment',
])
def test_a_multipart_part_without_a_usable_name_is_a_400_even_anonymous(client, world, disposition):
    response = _post_raw(client, "/login", _multipart([disposition + b"\r\n\r\nvalue"]))
    assert response.status_code == 400


def test_a_part_without_a_name_is_a_400_for_a_logged_in_user_too(login_as):
    client = login_as("guard")
    token = client.get("/api/v1/session").json["csrf_token"]
    response = _post_raw(client, f"/api/v1/records/{uuid.uuid4()}", _multipart([
        b'Content-Disposition: form-data\r\n\r\nvalue']), **{"X-CSRFToken": token})
    assert response.status_code == 400 and response.json["error"]["code"] == 400


def _record(client, record: str):
    token = client.get("/api/v1/session").json["csrf_token"]
    return client.post(f"/api/v1/records/{uuid.uuid4()}", data={"record": record},
                       headers={"X-CSRFToken": token})


def _envelope(world, **changes) -> dict:
    envelope = {"kind": "ticket_report", "project_id": world.p1.id, "client_time": utcnow().isoformat(),
                "data": {"description": "大厅入口地砖松动", "location": "入口左侧",
                         "area_id": str(world.areas["p1"].id)}}
    envelope.update(changes)
    return envelope


def test_a_record_nested_100000_deep_is_a_400(login_as):
    response = _record(login_as("guard"), "[" * 100000)
    assert response.status_code == 400
    response = _record(login_as("guard"), '{"a":' * 100000)
    assert response.status_code == 400


@pytest.mark.parametrize("number", [10**30, -10**30, 2**63, 2**53 + 1])
def test_a_project_id_beyond_what_the_database_holds_is_refused(login_as, world, number):
    response = _record(login_as("guard"), json.dumps(_envelope(world, project_id=number)))
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("raw", ['"\\ud800"', '"abc\\u0000def"', '"ok\\udfff"'])
def test_bad_text_inside_a_record_is_a_clear_422(login_as, world, raw):
    envelope = json.dumps(_envelope(world), ensure_ascii=False).replace('"大厅入口地砖松动"', raw)
    response = _record(login_as("guard"), envelope)
    assert response.status_code == 422
    assert "无法识别的字符" in response.json["error"]["message"]


def test_non_finite_numbers_in_a_record_are_a_400(login_as, world):
    envelope = json.dumps(_envelope(world)).replace(f'"project_id": {world.p1.id}', '"project_id": NaN')
    assert _record(login_as("guard"), envelope).status_code == 400


def test_a_nul_byte_in_a_login_form_is_a_clear_422(client, world):
    response = client.post("/login", data={"username": "gu\x00ard", "password": "x", "csrf_token": client.csrf()})
    assert response.status_code == 422
    assert "无法识别的字符" in alert(response)


def test_the_refusal_speaks_the_users_language(client, world):
    client.post("/locale", data={"locale": "en", "csrf_token": client.csrf()})
    response = client.post("/login", data={"username": "gu\x00ard", "password": "x", "csrf_token": client.csrf()})
    assert response.status_code == 422
    assert text(response, ".card .btn") == ["Back to home"]  # the message itself awaits its translation


@pytest.mark.parametrize("url", ["/r/status/abc%00def", "/c/AB%00CD", "/login?next=%00", "/login?a%00=1"])
def test_a_nul_byte_in_a_path_or_query_is_a_422_not_a_database_error(client, world, url):
    assert client.get(url).status_code == 422


def test_a_nul_byte_in_an_admin_search_is_a_422(login_as):
    assert login_as("admin").get("/admin/users?q=a%00b").status_code == 422


def test_a_nul_byte_in_a_logged_in_form_is_a_422(login_as, world):
    client = login_as("admin")
    response = client.post_form(f"/projects/{world.p1.id}/areas", {"name": "车\x00场"}, htmx=True)
    assert response.status_code == 422


def test_ordinary_text_still_passes(login_as, world):
    client = login_as("guard")
    response = _record(client, json.dumps(_envelope(world)))
    assert response.status_code == 201


def test_a_project_id_past_the_databases_integer_is_a_project_not_found(login_as, world):
    """Found by the fuzz below on PostgreSQL (integer out of range): the id is refused before any query."""
    client = login_as("guard")
    for project_id in (2**31, 2**63, -1):
        response = _record(client, json.dumps({**_envelope(world), "project_id": project_id}))
        assert response.status_code in (400, 404), response.get_data(as_text=True)  # 400: past JSON's safe integers


# -- fuzz: whatever arrives, the answer is never a 500 ---------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
_fuzz = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_fuzz
@given(envelope=st.fixed_dictionaries({}, optional={
    "kind": st.sampled_from(["ticket_report", "ticket_action", "shift_clock", "nope"]) | st.text(max_size=5),
    "project_id": st.integers() | _json_values,
    "client_time": st.sampled_from([utcnow().isoformat(), "2026-01-01T00:00:00"]) | _json_values,
    "data": _json_values,
}))
def test_no_envelope_gets_a_500(login_as, world, envelope):
    response = _record(login_as("guard"), json.dumps(envelope))
    assert response.status_code < 500, response.get_data(as_text=True)


@_fuzz
@given(record=st.text())
def test_no_record_text_gets_a_500(login_as, record):
    assert _record(login_as("guard"), record).status_code < 500


_header_bits = st.sampled_from([b'Content-Disposition: form-data', b'; name="record"', b'; name=', b'; name="',
                                b'; filename="a~1.jpg"', b'; filename=', b'\\', b'"', b'\r\n', b';',
                                b'Content-Type: image/jpeg', b'Content-Type: text/plain; charset=utf-8',
                                b'Content-Transfer-Encoding: base64', b'\x00', b'\xff', b'csrf_token'])


@_fuzz
@given(parts=st.lists(st.tuples(st.lists(_header_bits, max_size=6), st.binary(max_size=40)), max_size=4))
def test_no_multipart_body_gets_a_500(client, world, parts):
    body = _multipart([b"".join(head) + b"\r\n\r\n" + value for head, value in parts])
    for url in ("/login", f"/api/v1/records/{uuid.uuid4()}"):
        assert _post_raw(client, url, body).status_code < 500
