"""Fixtures: the app on SQLite (default) or a real PostgreSQL (TEST_DATABASE=postgresql), a client, personas."""
import os
import re

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlmodel import Session, SQLModel

from app import create_app
from app.config import Config
from app.core.db import engine, upgrade_to_head
from app.models import load_all
from tests import factories
from tests.factories import engine_of
from tests.handovers import builders
from tests.pg import postgres_server

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if BACKEND == "postgresql":
        with postgres_server() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def test_config(database_url, tmp_path_factory):
    """The configuration class of the test app; a test may build a second app from it."""
    instance = tmp_path_factory.mktemp("instance")

    class TestConfig(Config):
        TESTING = True
        INSTANCE_DIR = instance
        SECRET_KEY = "test-secret"
        DATABASE_URL = database_url
        MEDIA_BACKEND = "local"
        MEDIA_ROOT = str(instance / "media")
        ARGON2_TIME_COST = 1  # fast hashes for tests; still argon2id
        ARGON2_MEMORY_COST = 8 * 1024
        ARGON2_PARALLELISM = 1

    return TestConfig


@pytest.fixture(scope="session")
def app(test_config):
    app = create_app(test_config)
    app.test_client_class = Client
    with app.app_context():
        upgrade_to_head(engine())
    return app


@pytest.fixture(autouse=True)
def _empty_tables(request):
    """Every test starts from empty tables (cheaper than a new database, and the same on both backends)."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    load_all()
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    for attempt in range(5):
        try:
            with engine_of(app).begin() as conn:
                if conn.dialect.name == "postgresql":
                    # DELETE rather than TRUNCATE: TRUNCATE gives each table and index a new file (~270 ms a test
                    # for ~80 tables), DELETE of a few rows costs nothing. Foreign-key triggers are off meanwhile
                    # (the server's superuser) and every sequence starts again at 1, as RESTART IDENTITY did.
                    conn.exec_driver_sql("SET LOCAL session_replication_role = replica; "
                                         + "".join(f'DELETE FROM "{t}"; ' for t in tables)
                                         + "SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'")
                else:
                    for table in tables:
                        conn.execute(sa.text(f'DELETE FROM "{table}"'))
            return
        except sa.exc.OperationalError:
            # A browser test's page may still be fetching (the service worker keeping pages) while the tables are
            # emptied: PostgreSQL then reports a deadlock with that request and the TRUNCATE is simply tried again.
            if attempt == 4:
                raise


@pytest.fixture
def ctx(app):
    """An app context for calling services directly. Not together with the test client: requests would
    share this context's `g` (and so a stale CSRF token and database session)."""
    with app.app_context():
        yield


@pytest.fixture
def db(app):
    """A database session of the test's own, outside any app context, so the test client works beside it.

    Tests of services that need the app (config, translations) use `ctx` and `get_session()` instead.
    """
    with Session(engine_of(app), expire_on_commit=False) as session:
        yield session


class Client(FlaskClient):
    """A test client that knows the CSRF token of its session and how to log in."""

    def csrf(self) -> str:
        page = self.get("/login").get_data(as_text=True)
        if 'name="csrf-token"' not in page:
            page = self.get("/account").get_data(as_text=True)
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def login(self, username: str, password: str = factories.PASSWORD, **extra):
        return self.post("/login", data={"username": username, "password": password, "csrf_token": self.csrf(), **extra})

    def post_form(self, url: str, data: dict | None = None, htmx: bool = False, **kwargs):
        headers = {"HX-Request": "true"} if htmx else {}
        return self.post(url, data={**(data or {}), "csrf_token": self.csrf()}, headers=headers, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def world(app):
    """Two organisations; org A has projects P1 and P2 with one user per role in P1; org B has project Q."""
    with Session(engine_of(app), expire_on_commit=False) as session:
        return factories.world(session)


@pytest.fixture
def handover_world(app, world):
    """The world plus, per project, a sample room, a locked handover and a closing check; attendant_b in P1.

    Only tests that read handovers ask for it (the access walk, handover pages, digests, reports)."""
    with Session(engine_of(app), expire_on_commit=False) as session:
        builders.handover_world(session, world)
        return world


@pytest.fixture
def login_as(app, world):
    """login_as("guard") gives a client logged in as P1's guard (or "admin", "outsider", "other_admin")."""

    def _login(who: str) -> Client:
        client = app.test_client()
        response = client.login(world.users[who].username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login
