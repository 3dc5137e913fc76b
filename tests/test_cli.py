"""The command-line tasks: demo data, user creation, backup and restore."""
import sqlalchemy as sa
from sqlmodel import select

from app.accounts.models import Membership, User
from app.frontdesk.models import Occupant, Unit
from app.projects.models import Checkpoint, Project


def _counts(db):
    return {m.__name__: len(db.exec(select(m)).all()) for m in (User, Project, Checkpoint, Membership, Unit, Occupant)}


def test_seed_demo_creates_one_user_per_role_and_is_idempotent(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for username in ("admin", "guard1", "attendant1", "engineer1", "inspector1", "supervisor1", "frontdesk1"):
        assert username in result.output
    first = _counts(db)
    assert first["Project"] == 2 and first["Checkpoint"] >= 10
    assert first["Unit"] >= 400 and first["Occupant"] > first["Unit"]  # a few hundred flats on each project
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    db.expire_all()
    assert _counts(db) == first
    assert "already has users" in runner.invoke(args=["seed-demo", "--if-empty"]).output


def test_demo_users_log_in_with_the_demo_password(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    client = app.test_client()
    assert client.login("guard1", "demo1234").status_code == 302
    assert "江城壹号销售中心" in client.get("/").get_data(as_text=True)


def test_create_user(app, db, world, monkeypatch):
    monkeypatch.setenv("WUYE_PASSWORD", "cli-password-1")
    result = app.test_cli_runner().invoke(args=["create-user", "boss", "--name", "老板", "--admin",
                                                "--organisation", "甲物业"])
    assert result.exit_code == 0, result.output
    assert db.exec(select(User).where(User.username == "boss")).one().is_admin


def test_create_user_refuses_a_taken_name(app, world, monkeypatch):
    monkeypatch.setenv("WUYE_PASSWORD", "cli-password-1")
    result = app.test_cli_runner().invoke(args=["create-user", "guard", "--name", "x", "--organisation", "甲物业"])
    assert result.exit_code != 0 and "已被使用" in result.output


def test_backup_and_restore_round_trip(app, db, world, tmp_path):
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.tar.gz")])
        assert result.exit_code != 0 and "pg_dump" in result.output
        return
    from app.core.storage import storage

    with app.app_context():
        storage().save("photos/keep.jpg", b"photo")
    runner = app.test_cli_runner()
    archive = tmp_path / "backup.tar.gz"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    db.exec(sa.delete(Checkpoint))  # damage after the backup
    db.commit()
    with app.app_context():
        storage().delete("photos/keep.jpg")
    result = runner.invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    db.expire_all()
    assert len(db.exec(select(Checkpoint)).all()) == 3
    with app.app_context():
        assert storage().open("photos/keep.jpg").read() == b"photo"


def test_the_demo_sites_fixed_all_but_one_of_last_months_problems(app, db):
    from collections import Counter

    from app.inspections.models import Rectification

    app.test_cli_runner().invoke(args=["seed-demo"])
    rows = db.exec(select(Rectification.project_id, Rectification.status)).all()
    assert sorted(Counter(p for p, s in rows if s == "open").values()) == [1, 1]  # one left for the next visit
    assert {s for _p, s in rows} == {"open", "verified"}
