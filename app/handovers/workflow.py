"""The handover state machine, in one table.

    draft ─count→ draft ─sign_outgoing→ draft ─sign_incoming→ signed ─lock→ locked ─amend→ amended ─amend→ amended

A draft is the count being made (on the phone it lives in the outbox; the server passes through it while
taking the record). Only both signatures make it "signed", only a signed handover locks, and a locked one
changes only by amendments, each kept with its reason.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.refusal import Refusal

STATES = ("draft", "signed", "locked", "amended")
STATE_LABELS = {"draft": _l("草稿"), "signed": _l("双方已签"), "locked": _l("已锁定"), "amended": _l("已更正")}

TRANSITIONS = {  # event: (states it may happen in, state it leads to)
    "count": (frozenset({"draft"}), "draft"),
    "sign_outgoing": (frozenset({"draft"}), "draft"),
    "sign_incoming": (frozenset({"draft"}), "signed"),
    "lock": (frozenset({"signed"}), "locked"),
    "amend": (frozenset({"locked", "amended"}), "amended"),
}


class StateError(Refusal):
    """An event that may not happen in the handover's state; the message is for the user."""


def next_state(state: str, event: str) -> str | None:
    """The state `event` leads to from `state`, or None when it may not happen there."""
    sources, target = TRANSITIONS.get(event, (frozenset(), None))
    return target if state in sources else None


def step(handover, event: str) -> None:
    """Move the handover on by `event`, or refuse saying which state it is in."""
    target = next_state(handover.state, event)
    if target is None:
        raise StateError(_("交接记录处于“%(state)s”状态,不能执行此操作。", state=STATE_LABELS[handover.state]))
    handover.state = target
