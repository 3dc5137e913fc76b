"""Editing a post and a shift pattern on the set-up page: saved and back to the page, or refused with why."""
from datetime import time

from sqlmodel import select

from app.core.audit import AuditLog
from app.shifts.models import Post, ShiftPattern
from tests.html import alert


def _setup(world) -> str:
    return f"/projects/{world.p1.id}/shifts/setup"


def test_a_supervisor_renames_a_post_and_takes_it_out_of_use(world, db, login_as):
    post = world.shifts["p1"].post
    response = login_as("supervisor").post_form(f"/posts/{post.id}", {"name": "前台岗", "active": ["0"]})
    assert response.status_code == 302 and response.headers["Location"] == _setup(world)
    db.expire_all()
    saved = db.get(Post, post.id)
    assert (saved.name, saved.active) == ("前台岗", False)
    entry = db.exec(select(AuditLog).where(AuditLog.action == "shift_post.update")).one()
    assert (entry.object_id, entry.before["name"], entry.after["name"]) == (post.id, post.name, "前台岗")


def test_a_post_keeps_its_name_when_the_new_one_is_empty_or_taken(world, db, login_as):
    post, client = world.shifts["p1"].post, login_as("supervisor")
    empty = client.post_form(f"/posts/{post.id}", {"name": "  ", "active": ["0", "1"]})
    assert empty.status_code == 422 and alert(empty) == "请填写岗位名称。"
    assert client.post_form(f"/projects/{world.p1.id}/posts", {"name": "接待"}).status_code == 302
    taken = client.post_form(f"/posts/{post.id}", {"name": "接待", "active": ["0", "1"]})
    assert taken.status_code == 422 and alert(taken) == "“接待”已存在,请换一个名称。"
    db.expire_all()
    assert (db.get(Post, post.id).name, db.get(Post, post.id).active) == (post.name, True)


def test_a_supervisor_moves_a_pattern_and_the_times_are_kept(world, db, login_as):
    pattern = world.shifts["p1"].pattern
    response = login_as("supervisor").post_form(f"/patterns/{pattern.id}", {
        "name": "早班", "start": "08:30", "end": "17:30", "active": ["0", "1"]})
    assert response.status_code == 302 and response.headers["Location"] == _setup(world)
    db.expire_all()
    saved = db.get(ShiftPattern, pattern.id)
    assert (saved.name, saved.start, saved.end, saved.active) == ("早班", time(8, 30), time(17, 30), True)


def test_a_pattern_with_a_bad_time_is_refused_and_unchanged(world, db, login_as):
    pattern, client = world.shifts["p1"].pattern, login_as("supervisor")
    typo = client.post_form(f"/patterns/{pattern.id}", {"name": "早班", "start": "8点", "end": "17:00"})
    assert typo.status_code == 422 and alert(typo) == "上班时间须为 时:分,如 08:00。"
    same = client.post_form(f"/patterns/{pattern.id}", {"name": "早班", "start": "17:00", "end": "17:00"})
    assert same.status_code == 422
    assert alert(same) == "下班时间不能与上班时间相同(都是 17:00);跨夜的班次如夜班填 20:00 至 08:00。"
    db.expire_all()
    saved = db.get(ShiftPattern, pattern.id)
    assert (saved.start, saved.end, saved.active) == (time(8), time(17), True)


def test_only_a_supervisor_of_the_project_edits_posts_and_patterns(world, db, login_as):
    """A member in another role is forbidden; someone outside the project is not told the post exists."""
    post, pattern = world.shifts["p1"].post, world.shifts["p1"].pattern
    for who, status in (("attendant", 403), ("outsider", 404)):
        client = login_as(who)
        assert client.post_form(f"/posts/{post.id}", {"name": "改名"}).status_code == status, who
        assert client.post_form(f"/patterns/{pattern.id}", {"name": "改名", "start": "09:00",
                                                            "end": "10:00"}).status_code == status, who
    db.expire_all()
    assert (db.get(Post, post.id).name, db.get(ShiftPattern, pattern.id).name) == (post.name, "早班")
