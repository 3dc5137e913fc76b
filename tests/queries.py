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
