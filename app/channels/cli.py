"""`flask channels add | list | test | deliver`: setting channels up from the command line."""
import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session

from app.channels import jobs, services
from app.channels.models import KINDS, Channel
from app.core.db import engine, utcnow
from app.projects.services import get_project


def init_app(app):
    group = AppGroup("channels", help="Where a project's alerts also go: WeCom, DingTalk, Feishu robots, e-mail.")

    @group.command("add")
    @click.option("--project", "project_id", type=int, required=True, help="Project id")
    @click.option("--kind", type=click.Choice(KINDS), required=True)
    @click.option("--target", required=True, help="The robot's webhook URL, or an e-mail address")
    @click.option("--secret", default="", help="DingTalk 加签 / Feishu 签名校验 secret")
    @click.option("--events", multiple=True, help="Event names or capabilities (repairs, patrols…); default all")
    @click.option("--name", default="", help="A label, e.g. 项目主管群")
    @click.option("--locale", default="zh_Hans", type=click.Choice(["zh_Hans", "zh_Hant", "en"]))
    @click.option("--digest-hour", default=None, type=int, help="Local hour of the daily digest (0-23)")
    def add(project_id, kind, target, secret, events, name, locale, digest_hour):
        """Add a channel to a project."""
        with Session(engine(), expire_on_commit=False) as session:
            if get_project(session, project_id) is None:
                raise click.ClickException(f"No project {project_id}.")
            try:
                channel = services.save_channel(session, actor=None, project_id=project_id, kind=kind, target=target,
                                                secret=secret, events=" ".join(events), name=name, locale=locale,
                                                digest_hour=digest_hour,
                                                extra_hosts=current_app.config["CHANNEL_HOSTS"])
            except services.ChannelError as exc:
                raise click.ClickException(str(exc)) from None
        click.echo(f"Added channel {channel.id}: {kind} {services.masked_target(channel)}")

    @group.command("list")
    def list_():
        """Every channel with its last delivery."""
        with Session(engine(), expire_on_commit=False) as session:
            channels = session.exec(services.all_channels_stmt()).all()
            last = services.last_deliveries(session, channels)
        for c in channels:
            result = last.get(c.id)
            status = f"{result.status} {result.answer[:60]}" if result else "-"
            click.echo(f"{c.id:>4}  project {c.project_id:<4} {c.kind:<8} {services.masked_target(c):<40} "
                       f"secret {services.mask(c.secret) or '-':<10} events {','.join(c.events) or 'all'}  "
                       f"{'' if c.active else '(off) '}last: {status}")

    @group.command("test")
    @click.argument("channel_id", type=int)
    def test(channel_id):
        """Send a test message to a channel now and print the platform's answer."""
        with Session(engine(), expire_on_commit=False) as session:
            channel = session.get(Channel, channel_id)
            if channel is None:
                raise click.ClickException(f"No channel {channel_id}.")
            delivery = services.send_now(session, channel, utcnow(), **jobs.delivery_settings())
        click.echo(f"{delivery.status}: {delivery.answer}")
        if delivery.status != "sent":
            raise SystemExit(1)

    @group.command("deliver")
    def deliver():
        """Send every delivery that is due, once (the clock does this every minute)."""
        with Session(engine(), expire_on_commit=False) as session:
            counts = jobs.run_delivery(session, utcnow(), current_app.config)
        click.echo(", ".join(f"{k} {v}" for k, v in counts.items()))

    app.cli.add_command(group)
