"""Counting the SQL statements a page runs: a page that queries once per row grows with its data."""
from sqlalchemy import event


def statements_for(app, client, url: str, headers: dict | None = None) -> list[str]:
    """The statements GET `url` runs (it must answer 200)."""
    engine, seen = app.extensions["engine"], []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(url, headers=headers or {}).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def queries_for(app, client, url: str, headers: dict | None = None) -> int:
    """How many statements GET `url` runs (it must answer 200)."""
    return len(statements_for(app, client, url, headers))


def writes_for(app, client, url: str) -> list[str]:
    """The INSERT / UPDATE / DELETE statements GET `url` runs (it must answer 200)."""
    return [s for s in statements_for(app, client, url) if s.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE")]


def read_while_writing(session, work) -> list[str]:
    """The SELECTs `work()` runs on `session` after a write in the same transaction, i.e. while SQLite's write lock
    is held and every other writer (an upload, another job) waits."""
    engine, writing, seen = session.get_bind(), [False], []

    def note(_conn, _cursor, statement, *_args):
        kind = statement.lstrip()[:6].upper()
        if kind in ("INSERT", "UPDATE", "DELETE"):
            writing[0] = True
        elif kind == "SELECT" and writing[0]:
            seen.append(statement)

    def ended(_conn):
        writing[0] = False

    event.listen(engine, "before_cursor_execute", note)
    event.listen(engine, "commit", ended)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", note)
        event.remove(engine, "commit", ended)
    return seen
