"""Demo registers at a post of each demo project: visitors (one still in), a lost item kept and one returned with
its owner's signature, a gift handed in, a key out, one overdue and one returned."""
import io
from datetime import timedelta

from flask import current_app
from PIL import Image, ImageDraw
from sqlmodel import Session

from app.accounts.services import user_named
from app.core.db import utcnow, zone
from app.core.photos import process
from app.core.storage import storage
from app.projects.models import Project
from app.registers import services
from app.shifts import services as shifts

POSTS = {"江城壹号销售中心": "迎宾", "滨江花园": "南门岗"}  # the post whose registers get the entries


def _signature():
    picture = Image.new("RGB", (600, 220), "white")
    ImageDraw.Draw(picture).line([(60, 150), (160, 60), (260, 160), (360, 70), (520, 140)], fill="black", width=6)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return process(out.getvalue(), max_bytes=current_app.config["PHOTO_MAX_BYTES"])


def _local(moment) -> str:
    return moment.astimezone(zone()).strftime("%Y-%m-%dT%H:%M")


def seed(session: Session, projects: dict[str, Project], admin) -> None:
    """Idempotent: a project whose post already has a visitor registered is left alone."""
    guard, now, tz = user_named(session, "guard1"), utcnow(), zone()
    for name, post_name in POSTS.items():
        project = projects[name]
        post = next((p for p in shifts.posts_of(session, project, active_only=True) if p.name == post_name), None)
        if post is None:
            post = shifts.save_post(session, actor=admin, project=project, name=post_name)
        if services.open_entries(session, "visitors", post.id) or services.keys_out(session, post.id):
            continue
        hour = timedelta(hours=1)
        services.record_visit(session, actor=guard, post=post, at=now, tz=tz, data={
            "in_at": _local(now - 3 * hour), "visitor_name": "陈先生", "phone": "13907100001", "visiting": "销售经理 刘经理", "reason": "签约",
            "plate": "鄂A12345", "out_at": _local(now - 2 * hour)})
        services.record_visit(session, actor=guard, post=post, at=now - hour / 2, tz=tz, data={
            "visitor_name": "顺丰快递 王师傅", "id_number": "420106199001011234", "visiting": "3栋2单元1201",
            "reason": "送件"})
        services.record_found(session, storage=storage(), actor=guard, post=post, data={
            "description": "黑色双肩包,内有雨伞一把", "found_place": "洽谈区 3 号桌", "kept_where": "岗亭"},
            photos=[], at=now - 5 * hour, tz=tz, prefix=f"registers/demo/{project.id}/found-1")
        wallet = services.record_found(session, storage=storage(), actor=guard, post=post, data={
            "description": "棕色钱包", "found_place": "停车场 B 区", "found_by": "保洁 刘阿姨", "kept_where": "前台"},
            photos=[], at=now - 26 * hour, tz=tz, prefix=f"registers/demo/{project.id}/found-2")
        services.return_found(session, storage=storage(), actor=guard, found=wallet, signature=_signature(),
                              data={"receiver_name": "黄女士", "receiver_phone": "13907100002"}, at=now - 20 * hour,
                              prefix=f"registers/demo/{project.id}/returned-2")
        services.record_gift(session, storage=storage(), actor=guard, post=post, data={
            "giver": "客户 周先生", "item": "月饼一盒", "value": "200", "handed_to": "孙主管"},
            photos=[], at=now - 28 * hour, tz=tz, prefix=f"registers/demo/{project.id}/gift-1")
        services.lend_key(session, actor=guard, post=post, at=now - 4 * hour, tz=tz, data={
            "key_name": "配电房钥匙", "borrower": "赵工程", "borrower_phone": "13907100003",
            "due_at": _local(now - hour)})  # overdue: the supervisor's attention list shows it
        services.lend_key(session, actor=guard, post=post, at=now - hour, tz=tz, data={
            "key_name": "样板间A 钥匙", "borrower": "李管家", "due_at": _local(now + 8 * hour)})
        back = services.lend_key(session, actor=guard, post=post, at=now - 30 * hour, tz=tz, data={
            "key_name": "消防通道钥匙", "borrower": "保洁 刘阿姨", "due_at": _local(now - 28 * hour)})
        services.return_key(session, actor=guard, loan=back, at=now - 29 * hour)
        session.commit()
