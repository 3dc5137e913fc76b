"""The complaint state machine, in one table: which action moves a complaint from which states, and who may.

    received (已受理) ─assign→ assigned (已派部门) ─start / note / on_site→ processing (处理中) ─reply→ replied (已答复)
    replied ─callback, satisfied→ called_back (已回访) ─close→ closed (已关闭)
    replied ─callback, unsatisfied→ processing (再处理)      replied / called_back ─close→ closed
    received ─reply→ replied: answered at the desk on the spot (当日办结)
    assign again from assigned / processing: transferred to another department (the owner stays, 首问负责制)
"""
from dataclasses import dataclass

STATUSES = ("received", "assigned", "processing", "replied", "called_back", "closed")
OPEN = ("received", "assigned", "processing", "replied", "called_back")
UNREPLIED = ("received", "assigned", "processing")
SATISFIED = 4  # as repairs: 4 or 5 counts as satisfied (满意率); 1-3 sends it back to processing
DESK = ("frontdesk", "supervisor")  # company admins pass every role check


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    roles: tuple
    handler: bool = False  # the assigned department's responsible users may too, whatever their role


TRANSITIONS = {
    "assign": Transition(frozenset({"received", "assigned", "processing"}), DESK),
    "start": Transition(frozenset({"assigned"}), ("supervisor",), handler=True),
    "note": Transition(frozenset({"assigned", "processing"}), DESK, handler=True),
    "on_site": Transition(frozenset({"assigned", "processing"}), ("supervisor",), handler=True),
    "reply": Transition(frozenset({"received", "assigned", "processing"}), DESK, handler=True),
    "callback": Transition(frozenset({"replied"}), DESK),
    "close": Transition(frozenset({"replied", "called_back"}), DESK),
}


def refusal(action: str, status: str, roles: set[str], is_handler: bool) -> str | None:
    """Why `action` may not happen now, as a code ("state", "role"), or None when it may."""
    transition = TRANSITIONS.get(action)
    if transition is None or status not in transition.sources:
        return "state"
    if "admin" in roles or roles & set(transition.roles) or (transition.handler and is_handler):
        return None
    return "role"


def target(action: str, *, satisfied: bool | None = None, reached: bool = True) -> str | None:
    """The state an allowed action leads to (None: unchanged, like a callback that reached nobody)."""
    if action == "callback":
        if not reached:
            return None
        return "called_back" if satisfied else "processing"
    return {"assign": "assigned", "start": "processing", "note": "processing", "on_site": "processing",
            "reply": "replied", "close": "closed"}[action]
