"""Database engine and the per-request session."""
import re
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, g
from sqlalchemy import event
from sqlmodel import Session, create_engine


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def zone() -> ZoneInfo:
    """The time zone the company works in (config TIMEZONE): its days, shifts and months are counted in it."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def local(moment: datetime) -> datetime:
    """A stored (UTC) moment on the company's wall clock."""
    return moment.astimezone(zone())


def day_end(now: datetime) -> datetime:
    """The end of the company's local day that `now` falls in (the next local midnight)."""
    day = local(now).date() + timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=zone())


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware timestamp: stored as UTC, read back aware, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use an aware one")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


WAL_PAGES = 10_000  # pages (4 KB) of write-ahead log past which a committing connection checkpoints it


def make_engine(url: str):
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)  # a fresh checkout has no instance/ yet
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=15000")
            cur.execute("PRAGMA synchronous=NORMAL")
            # The WAL is copied back into the database by the clock after each of its writes (app/core/clock.py):
            # a request checkpoints only past 40 MB of it, instead of every 4 MB, often an upload beside a catch-up
            cur.execute(f"PRAGMA wal_autocheckpoint={WAL_PAGES}")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.driver == "psycopg":
        engine.dialect.do_rollback = _rollback_keeping_prepared

        @event.listens_for(engine, "connect")
        def _prepared_max(dbapi_conn, _record):
            # The statements a connection keeps prepared, the least recently used dropped past it, each with a
            # DEALLOCATE round trip: psycopg's default of 100 is two homes of an admin (46 statements each)
            dbapi_conn.prepared_max = 500

    return engine


def _rollback_keeping_prepared(dbapi_connection) -> None:
    """ROLLBACK on PostgreSQL without forgetting the connection's prepared statements. psycopg prepares a statement
    the 5th time it runs on a connection (the server then skips its parse and plan: a page's 46 statements, 24 ms
    of round trips and server time, take 12 ms prepared), but its rollback() also forgets them all and DEALLOCATEs
    them: every request ends with the rollback of Session.close(), so no statement ever stayed prepared from one
    request to the next. (psycopg forgets them lest a rolled-back CREATE leave statements on a table that is gone;
    the app's DDL is the migrations', committed; a statement that fails is dropped from psycopg's cache anyway.)
    Anything but a plain open or failed transaction goes through psycopg's own rollback()."""
    import psycopg
    from psycopg.pq import ExecStatus, TransactionStatus

    pgconn = dbapi_connection.pgconn  # (`info` of SQLAlchemy's pool wrappers is their own dict)
    status = pgconn.transaction_status
    if status == TransactionStatus.IDLE:
        return
    if status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
        try:
            if pgconn.exec_(b"ROLLBACK").status == ExecStatus.COMMAND_OK:
                return
        except psycopg.Error:
            pass  # a broken connection: psycopg's rollback() raises what SQLAlchemy knows as a disconnect
    dbapi_connection.rollback()


def init_app(app):
    app.extensions["engine"] = make_engine(app.config["DATABASE_URL"])

    @app.teardown_appcontext
    def _close_session(exc):
        session = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


def engine():
    return current_app.extensions["engine"]


def get_posted(session: Session, model, raw):
    """The row whose id a form or a phone sent, or None. Anything may arrive: a 20-digit number overflows the
    database's integer, and "²" passes str.isdigit() but not int()."""
    raw = str(raw if raw is not None else "").strip()
    return session.get(model, int(raw)) if re.fullmatch(r"[0-9]{1,9}", raw) else None


def insert_new(session: Session, rows: list, *, unique: list[str], where=None, returning=None) -> list:
    """Insert the new model objects `rows` whose unique key the table does not hold yet (INSERT … ON CONFLICT DO
    NOTHING, on SQLite as on PostgreSQL) and return `returning` (default: the id) of those inserted. Two requests
    or processes adding the same keyed row at the same moment: one row, and no error for the second (where a
    check-then-insert would fail its commit). `where` is a partial unique index's condition. The objects are not
    added to the session. (Not a savepoint: SQLite's driver would commit one opened outside a transaction.)"""
    if not rows:
        return []
    from sqlalchemy.dialects import postgresql, sqlite

    model = type(rows[0])
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[session.get_bind().dialect.name]
    statement = (insert(model).values([row.model_dump(exclude={"id"}) for row in rows])
                 .on_conflict_do_nothing(index_elements=unique, index_where=where))
    return list(session.exec(statement.returning(returning if returning is not None else model.id)).scalars())


def upsert(session: Session, table, rows: list[dict], *, unique: list[str]) -> None:
    """Insert `rows` (column dicts) into `table`, replacing the other columns of a row whose unique key is there
    already (INSERT … ON CONFLICT DO UPDATE, on SQLite as on PostgreSQL): a value kept per key, rewritten."""
    if not rows:
        return
    from sqlalchemy.dialects import postgresql, sqlite

    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[session.get_bind().dialect.name]
    statement = insert(table).values(rows)
    others = {name: statement.excluded[name] for name in rows[0] if name not in unique}
    session.execute(statement.on_conflict_do_update(index_elements=unique, set_=others))


def locked(session: Session, statement):
    """Run `statement` holding its rows until commit, so two requests' check-then-write run one after the other:
    FOR NO KEY UPDATE on PostgreSQL (not held up by rows merely referencing them); SQLite has no row locks, so
    there the database's write lock is taken now, before the check reads (BEGIN IMMEDIATE), unless this
    transaction already holds it by having written."""
    if session.get_bind().dialect.name != "sqlite":
        return session.exec(statement.with_for_update(key_share=True))
    if not session.connection().connection.dbapi_connection.in_transaction:
        session.exec(sa.text("BEGIN IMMEDIATE"))
    return session.exec(statement)


def among(column, ids):
    """`column IN (ids)` for integer ids (a user's projects), the ids written into the statement as numbers: as 500
    bound parameters they cost SQLAlchemy about a millisecond a statement to render and bind, and the home of an
    admin of 500 sites runs fifty such statements. Only for integers (each passes through int())."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        return sa.false()
    return column.op("IN", is_comparison=True)(sa.literal_column("(" + ",".join(map(str, ids)) + ")"))


def count_by(session: Session, column, ids, *where) -> dict[int, int]:
    """How many rows there are per value of `column` (a project id, say) among `ids` (integers), in one grouped
    query; values without rows are absent."""
    if not ids:
        return {}
    return dict(session.exec(sa.select(column, sa.func.count()).where(among(column, ids), *where)
                             .group_by(column)).all())


def bucket(column, bounds: list[datetime]):
    """The index i of the period [bounds[i], bounds[i + 1]) a timestamp falls in, as a SQL expression: months
    counted in one grouped query (the caller keeps the rows to [bounds[0], bounds[-1]) and groups by
    `by_period(...)`). One period is the constant 0."""
    if len(bounds) == 2:
        return sa.literal_column("0")
    return sa.case(*((column < bound, i) for i, bound in enumerate(bounds[1:-1])), else_=len(bounds) - 2)


def by_period(period, bounds: list[datetime]) -> tuple:
    """The GROUP BY terms of a `bucket` over `bounds`: none for one period (the month matrix's open month), so that
    the rows of a (project, time, …) index come grouped by project in index order, with no sort of every row
    (300,000 tickets of a site's month were sorted in a temporary B-tree)."""
    return () if len(bounds) == 2 else (period,)


def update_if(session: Session, obj, *conditions, **values) -> bool:
    """Update the object's row only while `conditions` still hold in the database; False when a concurrent
    request (a double tap, a second person) changed it first. The object is re-read either way."""
    model = type(obj)
    done = session.exec(sa.update(model).where(model.id == obj.id, *conditions).values(**values)).rowcount == 1
    session.refresh(obj)
    return done


def get_session() -> Session:
    """The session of this request (or app context), opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


def alembic_config(connection=None):
    """Alembic's configuration, optionally bound to an open connection (tests, benchmarks)."""
    from alembic.config import Config as AlembicConfig

    from app.config import BASE_DIR

    config = AlembicConfig(str(BASE_DIR / "alembic.ini"))
    config.attributes["configure_logger"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_to_head(engine_) -> None:
    from alembic import command

    with engine_.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
