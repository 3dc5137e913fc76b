"""Migrations: empty → head works on this backend, and the models agree with the head revision."""
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from app.core.db import alembic_config, make_engine
from app.models import load_all


def _fresh_database_url(app, tmp_path) -> str:
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    with make_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("DROP DATABASE IF EXISTS wuye_fresh"))
        conn.execute(sa.text("CREATE DATABASE wuye_fresh"))
    return url.rsplit("/", 1)[0] + "/wuye_fresh"


def test_an_empty_database_upgrades_to_head_and_back(app, tmp_path):
    engine = make_engine(_fresh_database_url(app, tmp_path))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
        assert {"user", "project", "area", "checkpoint", "membership", "audit_log"} <= set(sa.inspect(conn).get_table_names())
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    with engine.connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_the_models_and_the_migration_head_agree(app):
    load_all()
    with app.extensions["engine"].connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diff == []
