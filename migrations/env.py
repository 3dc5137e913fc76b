"""Alembic environment: SQLModel metadata, the app's DATABASE_URL, batch mode on SQLite."""
from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

from app.config import Config
from app.core.db import UTCDateTime, make_engine
from app.models import load_all

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

load_all()
target_metadata = SQLModel.metadata


def render_item(type_, obj, autogen_context):
    """Write our column types as plain SQLAlchemy types, so revisions do not import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and type(obj).__module__.startswith("sqlmodel"):
        autogen_context.imports.add("import sqlmodel")
    return False


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or Config.DATABASE_URL
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
