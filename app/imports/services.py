"""Running an import: read the file, plan every row (the preview), and apply the plan whole or not at all."""
from sqlmodel import Session

from app.core import audit
from app.imports import base, kinds  # noqa: F401  (the kinds register at import)
from app.imports.base import KINDS, Outcome, Plan
from app.imports.reading import ImportRefused, read_table


def kind_of(name: str) -> base.Kind:
    from flask_babel import gettext as _

    kind = KINDS.get(name)
    if kind is None:
        raise ImportRefused(_("未知的导入类型。"), status=404)
    return kind


def preview(session: Session, *, kind: base.Kind, actor, project, raw: bytes, filename: str = "",
            options: dict | None = None) -> Plan:
    """What importing the file would do, row by row; nothing is written."""
    table = read_table(raw, filename)
    return kind.plan(session, actor=actor, project=project, table=table, options=dict(options or {}))


def apply(session: Session, *, kind: base.Kind, actor, project, raw: bytes, filename: str = "",
          options: dict | None = None) -> tuple[Plan, Outcome]:
    """Plan the file again (the database may have changed since the preview) and write it in one transaction.

    Any refused row refuses the whole file; a failure while writing rolls everything back."""
    plan = preview(session, kind=kind, actor=actor, project=project, raw=raw, filename=filename, options=options)
    if plan.refused:
        raise base.first_refusal(plan)
    try:
        outcome = kind.apply(session, actor=actor, project=project, plan=plan)
        audit.record(session, actor=actor, action=f"import.{kind.name}", obj=project,
                     after={"created": plan.count(base.CREATED), "updated": plan.count(base.UPDATED),
                            "file": filename[:120]})
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return plan, outcome
