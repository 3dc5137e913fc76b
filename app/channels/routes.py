"""The channels settings page: a project's supervisors (and admins) add, change, test and delete its channels."""
from flask import current_app, flash, request
from flask_babel import gettext as _
from flask_login import current_user

from app.channels import bp, services
from app.channels.models import KINDS, Channel
from app.core.db import get_session, utcnow
from app.core.permissions import load_or_404, load_project, logged_in, project_required
from app.core.views import back_to, render

EDITORS = ("supervisor",)  # plus company admins, who pass every role check


def _form_values(form, editing: bool) -> dict:
    secret = form.get("secret", "")
    return {"kind": form.get("kind", ""), "target": form.get("target", ""),
            "secret": None if editing and not secret.strip() and not form.get("clear_secret") else secret,
            "events": form.getlist("events"), "name": form.get("name", ""), "locale": form.get("locale", "zh_Hans"),
            "digest_hour": form.get("digest_hour", ""), "active": form.get("active") == "1" or not editing,
            "extra_hosts": current_app.config["CHANNEL_HOSTS"]}


def _page(project, status: int = 200, **extra):
    db = get_session()
    channels = services.channels_of(db, project.id)
    return render("channels/settings.html", project=project, channels=channels, status=status,
                  last=services.last_deliveries(db, channels), public_url=current_app.config["PUBLIC_URL"],
                  **_choices(), **extra)


def _choices() -> dict:
    return {"kinds": KINDS, "kind_labels": {k: str(v) for k, v in services.KIND_LABELS.items()},
            "event_groups": {k: str(v) for k, v in services.EVENT_GROUPS.items()},
            "status_labels": {k: str(v) for k, v in services.STATUS_LABELS.items()},
            "languages": current_app.config["LANGUAGES"], "mask": services.mask,
            "masked_target": services.masked_target}


@bp.get("/projects/<int:project_id>/channels")
@project_required(*EDITORS)
def settings(project):
    """The project's channels with their last delivery, and the form to add one."""
    return _page(project)


@bp.post("/projects/<int:project_id>/channels")
@project_required(*EDITORS)
def add(project):
    """Add a channel."""
    try:
        services.save_channel(get_session(), actor=current_user, project_id=project.id,
                              **_form_values(request.form, editing=False))
    except services.ChannelError as exc:
        return _page(project, 422, error=exc.message, fields=exc.fields, form=request.form)
    flash(_("渠道已添加。可点“发送测试”检查它是否连通。"), "success")
    return back_to("channels.settings", project_id=project.id)


def _channel(channel_id: int) -> tuple[Channel, object]:
    channel = load_or_404(Channel, channel_id, *EDITORS)
    return channel, load_project(channel.project_id, *EDITORS)


def _edit_page(channel: Channel, project, status: int = 200, **extra):
    return render("channels/edit.html", project=project, channel=channel, status=status, **_choices(), **extra)


@bp.get("/channels/<int:channel_id>/edit")
@logged_in
def edit(channel_id: int):
    """The form to change a channel; its target and secret are shown masked, left blank to keep them."""
    return _edit_page(*_channel(channel_id))


@bp.post("/channels/<int:channel_id>")
@logged_in
def update(channel_id: int):
    """Save a channel's changes."""
    channel, project = _channel(channel_id)
    try:
        services.save_channel(get_session(), actor=current_user, project_id=project.id, channel=channel,
                              **_form_values(request.form, editing=True))
    except services.ChannelError as exc:
        return _edit_page(channel, project, 422, error=exc.message, fields=exc.fields, form=request.form)
    flash(_("渠道已保存。"), "success")
    return back_to("channels.settings", project_id=project.id)


@bp.post("/channels/<int:channel_id>/test")
@logged_in
def test(channel_id: int):
    """Queue a test message: the clock sends it within a minute, and the list shows the answer."""
    channel, project = _channel(channel_id)
    services.enqueue_test(get_session(), channel, utcnow())
    flash(_("测试消息已排队,一分钟内发出;刷新本页查看结果。"), "success")
    return back_to("channels.settings", project_id=project.id)


@bp.post("/channels/<int:channel_id>/delete")
@logged_in
def delete(channel_id: int):
    """Delete a channel and its delivery history."""
    channel, project = _channel(channel_id)
    services.delete_channel(get_session(), actor=current_user, channel=channel)
    flash(_("渠道已删除。"), "success")
    return back_to("channels.settings", project_id=project.id)
