"""The handover state machine, in one table.

    draft ─count→ draft ─sign_outgoing→ draft ─sign_incoming→ signed ─lock→ locked ─amend→ amended ─amend→ amended

A draft is the count being made (on the phone it lives in the outbox; the server passes through it while
taking the record). Only both signatures make it "signed", only a signed handover locks, and a locked one
changes only by amendments, each kept with its reason.
"""

STATES = ("draft", "signed", "locked", "amended")

TRANSITIONS = {  # event: (states it may happen in, state it leads to)
    "count": (frozenset({"draft"}), "draft"),
    "sign_outgoing": (frozenset({"draft"}), "draft"),
    "sign_incoming": (frozenset({"draft"}), "signed"),
    "lock": (frozenset({"signed"}), "locked"),
    "amend": (frozenset({"locked", "amended"}), "amended"),
}


class StateError(ValueError):
    """An event that may not happen in the handover's state; the message is for the user."""


def next_state(state: str, event: str) -> str | None:
    """The state `event` leads to from `state`, or None when it may not happen there."""
    sources, target = TRANSITIONS.get(event, (frozenset(), None))
    return target if state in sources else None
