"""Command-line tasks: `flask --app app seed-demo | create-user | tick | backup | restore`."""
import getpass
import os
import shutil
import sqlite3
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from sqlmodel import Session, select

from app.core import clock
from app.core.db import engine


def _sqlite_path() -> Path:
    url = current_app.config["DATABASE_URL"]
    if not url.startswith("sqlite:///"):
        raise click.ClickException("backup/restore handle the embedded SQLite database; for PostgreSQL use pg_dump.")
    return Path(url.removeprefix("sqlite:///"))


def init_app(app):
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only when the database has no user yet.")
    def seed_demo(if_empty):
        """Create the demo company, projects, checkpoints and one user per role (idempotent)."""
        from app import demo

        with Session(engine(), expire_on_commit=False) as session:
            if if_empty and not demo.is_empty(session):
                click.echo("Database already has users; demo data not added.")
                return
            logins = demo.seed(session)
        clock.run_due(current_app._get_current_object(), force=True)  # today's rounds exist before anyone looks
        click.echo("Demo logins (username / password / role):")
        for username, password, role in logins:
            click.echo(f"  {username:<12} {password}  {role}")

    @app.cli.command("tick")
    @click.option("--loop", is_flag=True, help="Tick every minute until SIGTERM / SIGINT.")
    @click.option("--job", "names", multiple=True, help="Only this job (repeatable).")
    @click.option("--now", "at", type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]), default=None,
                  help="Tick as if it were this moment (ISO 8601 with its offset): for tests and drills.")
    @click.option("--stop-with", "watched", type=int, default=None,
                  help="With --loop: stop when the process with this id ends (make run stops it with the server).")
    def tick(loop, names, at, watched):
        """Run every clock job that is due: rounds generated and settled, overdue alerts, windows closed."""
        app_ = current_app._get_current_object()
        unknown = set(names) - set(clock.JOBS)
        if unknown:
            raise click.ClickException(f"Unknown job: {', '.join(sorted(unknown))}. "
                                       f"Jobs: {', '.join(sorted(clock.JOBS))}")
        if loop:
            clock.loop(app_, names=names or None, watched_pid=watched, on_start=lambda: click.echo(
                f"Clock running every minute ({len(clock.JOBS)} jobs); stop with Ctrl-C or SIGTERM."))
            click.echo("Clock stopped.")
            return
        failed, outcomes = False, clock.run_due(app_, at, names=names or None)
        if not any(o.ran for o in outcomes):
            click.echo("Nothing due.")
        for outcome in outcomes:
            if outcome.ran:
                click.echo(f"{outcome.job:<28} {outcome.error or outcome.result}  ({outcome.seconds * 1000:.0f} ms)")
                failed = failed or bool(outcome.error)
        if failed:
            raise SystemExit(1)

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--name", "display_name", required=True, help="Display name, e.g. 张三")
    @click.option("--admin", is_flag=True, help="Company-wide admin")
    @click.option("--organisation", default=None, help="Organisation name (default: the only one)")
    def create_user(username, display_name, admin, organisation):
        """Create a user; the password is asked for (or read from WUYE_PASSWORD)."""
        from app.accounts import services
        from app.projects.models import Organisation

        password = os.environ.get("WUYE_PASSWORD") or getpass.getpass("Password: ")
        with Session(engine(), expire_on_commit=False) as session:
            stmt = select(Organisation)
            if organisation:
                stmt = stmt.where(Organisation.name == organisation)
            orgs = session.exec(stmt).all()
            if not orgs and not organisation:
                raise click.ClickException("No organisation yet: pass --organisation NAME to create one.")
            if not orgs:
                orgs = [Organisation(name=organisation)]
                session.add(orgs[0])
                session.commit()
            if len(orgs) > 1:
                raise click.ClickException("Several organisations: say which with --organisation.")
            try:
                user = services.create_user(session, actor=None, organisation_id=orgs[0].id, username=username,
                                            display_name=display_name, password=password, is_admin=admin)
            except services.AccountError as exc:
                raise click.ClickException(str(exc)) from None
        click.echo(f"Created user {user.username} (id {user.id}).")

    @app.cli.group("media")
    def media_group():
        """Stored photo files and the rows that name them."""

    @media_group.command("check")
    @click.option("--fix", is_flag=True, help="Delete the files no row names (older than the grace).")
    @click.option("--grace", type=click.IntRange(min=0), default=60, show_default=True,
                  help="Minutes a file without a row is left alone (a request may still be on its way to its "
                       "commit); 0 with the server stopped counts every one.")
    def media_check(fix, grace):
        """List files without a photo row and photo rows without their file, on the configured storage."""
        from datetime import timedelta

        from app.core import media
        from app.core.db import get_session, utcnow
        from app.core.storage import storage

        report = media.check(get_session(), storage(), now=utcnow(), grace=timedelta(minutes=grace))
        for key in report.orphans:
            click.echo(f"file without a row: {key}")
        for photo_id, key in report.missing:
            click.echo(f"row without its file: photo {photo_id} {key}")
        if fix and report.orphans:
            click.echo(f"removed {media.remove_orphans(storage(), report)} files without a row")
        click.echo(f"{len(report.orphans)} files without a row, {len(report.missing)} rows without a file")
        if report.missing or (report.orphans and not fix):
            raise SystemExit(1)

    @app.cli.command("backup")
    @click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
    def backup(target):
        """Write the SQLite database (online backup, safe while the app runs) and the media folder to a tar.gz."""
        db_path = _sqlite_path()
        target = target or Path(f"wuye-backup-{datetime.now():%Y%m%d-%H%M%S}.tar.gz")
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "wuye.db"
            with sqlite3.connect(db_path) as src, sqlite3.connect(copy) as dst:
                src.backup(dst)
            with tarfile.open(target, "w:gz") as tar:
                tar.add(copy, arcname="wuye.db")
                media = Path(current_app.config["MEDIA_ROOT"])
                if current_app.config["MEDIA_BACKEND"] == "local" and media.is_dir():
                    tar.add(media, arcname="media")
        click.echo(f"Backup written to {target}")

    @app.cli.command("restore")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore(source, yes):
        """Replace the database and media folder with a backup's (stop the app first)."""
        db_path = _sqlite_path()
        if not yes:
            click.confirm(f"Replace {db_path} and the media folder with {source}?", abort=True)
        with tarfile.open(source, "r:gz") as tar, tempfile.TemporaryDirectory() as tmp:
            names = tar.getnames()
            if "wuye.db" not in names:
                raise click.ClickException("Not a Wuye Field backup: wuye.db missing.")
            tar.extractall(tmp, filter="data")
            with sqlite3.connect(Path(tmp) / "wuye.db") as src, sqlite3.connect(db_path) as dst:
                src.backup(dst)
            media_src = Path(tmp) / "media"
            if media_src.is_dir():
                media = Path(current_app.config["MEDIA_ROOT"])
                shutil.rmtree(media, ignore_errors=True)
                shutil.copytree(media_src, media)
        engine().dispose()
        click.echo(f"Restored from {source}")
