"""The registers' outbox record kinds: an entry made at a post, or a visitor out, an item or a key returned, with
or without signal. The handlers call the services, whose refusals (`RegisterError`) reach the phone unchanged, and
build the answers' URLs here.
"""
from flask import url_for
from sqlmodel import Session

from app.accounts.services import projects_with_role
from app.core.db import zone
from app.core.photos import for_roles, register_viewers
from app.registers import services
from app.shifts import services as shifts
from app.sync.services import Kind, Submission, register


def _answer(entry, register: str) -> dict:
    return {"id": entry.id, "url": url_for("registers.post_register", post_id=entry.post_id, register=register)}


def _post(session: Session, s: Submission):
    return services.post_in(session, s.data.get("post_id"), project_id=s.project.id)


def _prefix(s: Submission, what: str) -> str:
    return f"registers/{s.project.id}/{what}/{s.client_id}"


def visit(session: Session, s: Submission) -> dict:
    """`register_visit`: {post_id, visitor_name, id_number, phone, visiting, reason, plate, in_at, out_at}."""
    row = services.record_visit(session, actor=s.user, post=_post(session, s), data=s.data, at=s.client_time,
                                tz=zone())
    return _answer(row, "visitors")


def visit_out(session: Session, s: Submission) -> dict:
    """`register_visit_out`: {visit_id}, the visitor left at the phone's time."""
    row = services.entry_in(session, "visitors", s.data.get("visit_id"), project_id=s.project.id)
    return _answer(services.sign_out(session, actor=s.user, visit=row, at=s.client_time), "visitors")


def found(session: Session, s: Submission) -> dict:
    """`register_found`: {post_id, found_at, found_place, found_by, description, kept_where} and up to 3 photos."""
    row = services.record_found(session, storage=s.storage, actor=s.user, post=_post(session, s), data=s.data,
                                photos=s.photos_of("photo"), at=s.client_time, tz=zone(), prefix=_prefix(s, "found"))
    return _answer(row, "lost")


def found_return(session: Session, s: Submission) -> dict:
    """`register_found_return`: {found_id, receiver_name, receiver_phone; returned_to "owner" (the default) or
    "police" with police_station} and the receiver's signature."""
    row = services.entry_in(session, "lost", s.data.get("found_id"), project_id=s.project.id)
    row = services.return_found(session, storage=s.storage, actor=s.user, found=row, data=s.data,
                                signature=(s.photos_of("sign-receiver") or [None])[0], at=s.client_time,
                                prefix=_prefix(s, "returned"))
    return _answer(row, "lost")


def gift(session: Session, s: Submission) -> dict:
    """`register_gift`: {post_id, received_at, giver, item, value, handed_to, note} and up to 3 photos."""
    row = services.record_gift(session, storage=s.storage, actor=s.user, post=_post(session, s), data=s.data,
                               photos=s.photos_of("photo"), at=s.client_time, tz=zone(), prefix=_prefix(s, "gift"))
    return _answer(row, "gifts")


def key_lend(session: Session, s: Submission) -> dict:
    """`register_key_lend`: {post_id, key_name, borrower, borrower_phone, lent_at, due_at, note}."""
    row = services.lend_key(session, actor=s.user, post=_post(session, s), data=s.data, at=s.client_time, tz=zone())
    return _answer(row, "keys")


def key_return(session: Session, s: Submission) -> dict:
    """`register_key_return`: {key_id}, back at the phone's time."""
    row = services.entry_in(session, "keys", s.data.get("key_id"), project_id=s.project.id)
    return _answer(services.return_key(session, actor=s.user, loan=row, at=s.client_time), "keys")


def offline_pages(session: Session, user) -> list[str]:
    """Whoever keeps a post's registers keeps each post's four register pages and the project's index."""
    project_ids = projects_with_role(session, user.id, services.ROLES)
    if not project_ids:
        return []
    pages = [url_for("static", filename=f"js/{script}") for script in ("registers.js", "signature.js")]
    pages += [url_for("registers.index", project_id=i) for i in sorted(set(project_ids))]
    return pages + [url_for("registers.post_register", post_id=post.id, register=register)
                    for post in shifts.posts_in(session, project_ids) for register in services.REGISTERS]


KINDS = (
    Kind(name="register_visit", roles=services.ROLES, handle=visit, max_photos=0, label="来访登记",
         offline_pages=offline_pages),
    Kind(name="register_visit_out", roles=services.ROLES, handle=visit_out, max_photos=0, label="访客离开"),
    Kind(name="register_found", roles=services.ROLES, handle=found, max_photos=3, label="失物登记"),
    Kind(name="register_found_return", roles=services.ROLES, handle=found_return, max_photos=1, label="失物归还"),
    Kind(name="register_gift", roles=services.ROLES, handle=gift, max_photos=3, label="礼品上缴"),
    Kind(name="register_key_lend", roles=services.ROLES, handle=key_lend, max_photos=0, label="钥匙借出"),
    Kind(name="register_key_return", roles=services.ROLES, handle=key_return, max_photos=0, label="钥匙归还"),
)
for _kind in KINDS:
    register(_kind)

# The register pages: whoever keeps the post's registers, and supervisors.
register_viewers(("register_found", "register_found_sign", "register_gift"), for_roles(*services.ROLES))
