"""`flask --app app templates import FILE | export KEY`: checklist templates as JSON files."""
import json
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlmodel import Session, select

from app.checklists import services
from app.checklists.models import ChecklistTemplate
from app.core.db import engine
from app.projects.models import Organisation
from app.projects.services import organisations

templates_cli = AppGroup("templates", help="Checklist templates: import and export their JSON definitions.")


def _organisation(session: Session, name: str | None) -> Organisation:
    """The organisation named, or the only one."""
    found = organisations(session, name)
    if not found:
        raise click.ClickException(f"No organisation named {name}." if name else "No organisation yet.")
    if len(found) > 1:
        raise click.ClickException("Several organisations: say which with --organisation.")
    return found[0]


@templates_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--organisation", default=None, help="Organisation name (default: the only one)")
def import_template(file, organisation):
    """Check a template file and save it as a new version (nothing changes if it is the same)."""
    try:
        definition = services.parse_template_json(file.read_text(encoding="utf-8-sig"))
    except services.TemplateError as exc:
        for error in exc.errors:
            click.echo(f"{file}: {error}", err=True)
        raise click.exceptions.Exit(1) from None
    with Session(engine(), expire_on_commit=False) as session:
        org = _organisation(session, organisation)
        template = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.organisation_id == org.id,
                                                                ChecklistTemplate.key == definition["key"])).first()
        before = template and template.current_version_id
        version = services.save_template(session, actor=None, organisation_id=org.id, definition=definition)
    unchanged = " (unchanged)" if version.id == before else ""
    click.echo(f"{definition['key']} version {version.number}{unchanged}")


@templates_cli.command("export")
@click.argument("key")
@click.option("--organisation", default=None, help="Organisation name (default: the only one)")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE, not stdout")
def export_template(key, organisation, output):
    """Print a template's current definition as JSON (the format `import` reads)."""
    with Session(engine(), expire_on_commit=False) as session:
        org = _organisation(session, organisation)
        template = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.organisation_id == org.id,
                                                                ChecklistTemplate.key == key)).first()
        if template is None:
            raise click.ClickException(f"No template with key {key} in {org.name}.")
        text = json.dumps(services.export_template(session, template), ensure_ascii=False, indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}")
    else:
        click.echo(text, nl=False)


def init_app(app):
    app.cli.add_command(templates_cli)
