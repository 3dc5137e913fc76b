"""`flask import KIND FILE [--project ID] [--dry-run]`: the importers of the pages, from a shell."""
from pathlib import Path

import click
from sqlmodel import Session

from app.core.db import engine
from app.core.refusal import Refusal
from app.imports import services
from app.imports.base import KINDS


def init_app(app):
    @app.cli.command("import")
    @click.argument("kind", type=click.Choice(sorted(KINDS)))
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--project", "project_id", type=int, help="The project's id (required unless there is only one).")
    @click.option("--as", "username", default=None, help="The admin the audit log names (default: the first admin).")
    @click.option("--room", default="", help="inventory: the sample room (id or name).")
    @click.option("--name", default="", help="scoresheet: the score sheet's name (default: the sheet's).")
    @click.option("--dry-run", is_flag=True, help="Show the preview and write nothing.")
    def import_file(kind, file, project_id, username, room, name, dry_run):
        """Import areas and checkpoints, users, an inventory, units and owners or a score sheet from XLSX/CSV."""
        with Session(engine(), expire_on_commit=False) as session:
            actor, project = _actor_and_project(session, username, project_id)
            kind_ = services.kind_of(kind)
            options, raw = {"room_id": room, "name": name}, file.read_bytes()
            try:
                plan = services.preview(session, kind=kind_, actor=actor, project=project, raw=raw,
                                        filename=file.name, options=options)
                for line in plan.lines:
                    click.echo(f"{line.line:>6}  {line.outcome:<9}  {line.reason or line.label}")
                for note in plan.notes:
                    click.echo(note)
                if plan.refused:
                    raise click.ClickException(f"{len(plan.refused)} row(s) refused; nothing imported.")
                if dry_run:
                    click.echo("Dry run: nothing written.")
                    return
                _plan, outcome = services.apply(session, kind=kind_, actor=actor, project=project, raw=raw,
                                                filename=file.name, options=options)
            except Refusal as exc:
                raise click.ClickException(exc.message) from None
            click.echo(outcome.message)
            for username_, display, password in outcome.secrets:
                click.echo(f"  {username_:<20} {display:<12} {password}")


def _actor_and_project(session, username, project_id):
    from app.accounts.services import admin_ids, get_user, user_named
    from app.projects.services import get_project, organisation_projects, organisations

    if project_id is None:
        every = [p for org in organisations(session) for p in organisation_projects(session, org.id)]
        if len(every) != 1:
            raise click.ClickException("Say which project with --project ID.")
        project_id = every[0].id
    project = get_project(session, project_id)
    if project is None:
        raise click.ClickException(f"No project {project_id}.")
    actor = user_named(session, username) if username else get_user(
        session, next(iter(admin_ids(session, project.organisation_id)), None))
    if actor is None or not actor.is_admin or actor.organisation_id != project.organisation_id:
        raise click.ClickException("No admin of the project's organisation to record the import under (--as).")
    return actor, project
