"""Outbox uploads carrying photos take turns, so pages keep the server's threads during a burst (app/sync/gate.py)."""
import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from app.sync.gate import PHOTO_SIZED, Gate
from tests import images
from tests.sync.test_records_api import _counts, _envelope, _post


@pytest.fixture
def gate(app, monkeypatch):
    """A gate of one turn and one place to wait for it, instead of the server's own."""
    small = Gate(1, waiting=1, wait_seconds=0.05)
    monkeypatch.setitem(app.extensions, "photo_gate", small)
    return small


@pytest.fixture(scope="module")
def photo():
    raw = images.scene((1200, 900))
    assert len(raw) > PHOTO_SIZED  # a phone's photo, not a thumbnail-sized test image
    return raw


def test_a_photo_upload_finding_every_turn_and_place_taken_is_sent_back_at_once_with_nothing_written(
        login_as, world, db, gate, photo):
    client, client_id = login_as("guard"), str(uuid.uuid4())
    assert gate.enter() and gate.enter() is False  # a turn taken; a second caller waited its 0.05 s in vain
    gate.admitted += 1  # and somebody else waits already
    before = _counts(db)
    response = _post(client, client_id, _envelope(world), [photo])
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"  # two turns of 0.05 s ahead
    assert response.json["error"]["message"] == "服务器正忙于处理其他照片,请稍后重试。"
    assert _counts(db) == before
    small = _post(client, str(uuid.uuid4()), _envelope(world))  # a record without photos is never held back
    assert small.status_code == 201
    gate.admitted -= 1
    gate.leave(0.05)
    again = _post(client, client_id, _envelope(world), [photo])  # the outbox sends the same entry again
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "false"
    assert gate.admitted == 0  # its turn was given back


def test_an_upload_waits_for_a_turn_given_back_and_arrives(app, login_as, world, db, gate, photo):
    client = login_as("guard")
    token = client.get("/api/v1/session").json["csrf_token"]
    gate.wait = 30
    assert gate.enter()
    answers = []
    waiter = threading.Thread(target=lambda: answers.append(_post(client, str(uuid.uuid4()), _envelope(world),
                                                                  [photo], token)))
    waiter.start()
    deadline = time.monotonic() + 30
    while gate.admitted < 2 and time.monotonic() < deadline:  # the upload is in, waiting for the turn
        time.sleep(0.01)
    assert gate.admitted == 2 and not answers
    gate.leave(0.05)
    waiter.join(30)
    assert [a.status_code for a in answers] == [201]
    assert gate.admitted == 0


def test_a_refused_upload_gives_its_turn_back(login_as, world, gate, photo):
    client = login_as("guard")
    refused = _post(client, str(uuid.uuid4()), _envelope(world, kind="no_such_kind"), [photo])
    assert refused.status_code == 422
    assert gate.admitted == 0
    assert _post(client, str(uuid.uuid4()), _envelope(world), [photo]).status_code == 201


def test_the_busy_answer_is_in_the_users_language(login_as, world, db, gate, photo):
    guard = world.users["guard"]
    guard.locale = "en"
    db.add(guard)
    db.commit()
    client = login_as("guard")
    assert gate.enter()
    gate.admitted += 1
    response = _post(client, str(uuid.uuid4()), _envelope(world), [photo])
    assert response.status_code == 503
    assert response.json["error"]["message"] == "The server is busy with other photos; please try again shortly."


def test_a_busy_answer_reads_nothing_from_the_database(app, login_as, world, gate, photo):
    """A refusal is the server's cheapest answer: neither the user nor the record is looked up for it."""
    client = login_as("guard")
    token = client.get("/api/v1/session").json["csrf_token"]
    assert gate.enter()
    gate.admitted += 1
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(app.extensions["engine"], "before_cursor_execute", seen)
    try:
        response = _post(client, str(uuid.uuid4()), _envelope(world), [photo], token)
    finally:
        sa.event.remove(app.extensions["engine"], "before_cursor_execute", seen)
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert response.headers["Cache-Control"] == "no-store"
    assert statements == []


def test_phones_sent_back_together_are_told_to_come_back_one_after_another_as_turns_free_up():
    gate = Gate(2, waiting=0)
    for _ in range(30):  # turns have been taking 0.5 s
        gate.leave(0.5) if gate.enter() else None
    assert gate.turn_seconds == pytest.approx(0.5, abs=0.03)
    gate.admitted = 4  # two at work, two waiting: 1 s of turns ahead, two at a time
    # Each refused phone comes after those ahead of it, a quarter second apart, in whole seconds.
    assert [gate.retry_after() for _ in range(8)] == [2, 2, 2, 2, 3, 3, 3, 3]


def test_a_phone_is_never_told_to_wait_less_than_a_second_or_more_than_a_minute():
    gate = Gate(1, waiting=0)
    gate.turn_seconds = 0.001
    assert gate.retry_after() == 1
    gate.turn_seconds, gate.admitted = 10.0, 20
    assert gate.retry_after() == 60
