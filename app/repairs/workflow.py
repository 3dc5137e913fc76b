"""The ticket state machine, in one table: which action moves a ticket from which states to which, and who may.

    reported (待派单) ─dispatch→ dispatched (已派单) ─start→ in_progress (处理中) ─finish→ awaiting_callback (待回访)
    awaiting_callback ─callback, satisfied→ closed (已关闭) │ ─callback, unsatisfied→ reopened (重开) ─dispatch→ …
    dispatched / in_progress ─return→ returned (已退回) ─dispatch→ …      any open state ─cancel→ cancelled (已取消)
    dispatched / in_progress ─add_photos→ (unchanged): the engineer documents the work as it goes
    dispatched ─delay→ (unchanged): the engineer cannot come in time; the front desk is told
    returned / dispatched / in_progress ─inform→ (unchanged): the desk told the caller (工程人员无法及时赶到,应及时回复业主)
"""
from dataclasses import dataclass

STATUSES = ("reported", "dispatched", "in_progress", "awaiting_callback", "closed", "returned", "reopened", "cancelled")
OPEN = ("reported", "dispatched", "in_progress", "returned", "reopened")
SATISFIED = 4  # satisfaction 4 or 5 counts as satisfied (满意率); 1-3 reopens the ticket


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    roles: tuple  # company admins pass every role check
    assignee_only: bool = False  # only the engineer it was dispatched to


TRANSITIONS = {
    # the front desk hands a phoned-in repair to engineering itself, within the 3-minute target (seed 002, 1.3.2)
    "dispatch": Transition(frozenset({"reported", "dispatched", "returned", "reopened"}), ("supervisor", "frontdesk")),
    "start": Transition(frozenset({"dispatched"}), ("engineer",), assignee_only=True),
    "finish": Transition(frozenset({"in_progress"}), ("engineer",), assignee_only=True),
    "return": Transition(frozenset({"dispatched", "in_progress"}), ("engineer",), assignee_only=True),
    "add_photos": Transition(frozenset({"dispatched", "in_progress"}), ("engineer",), assignee_only=True),
    # the front desk calls the reporter back (回访, seed 002 1.3.4) like a supervisor or the attendant who took it
    "callback": Transition(frozenset({"awaiting_callback"}), ("supervisor", "attendant", "frontdesk")),
    "cancel": Transition(frozenset(OPEN), ("supervisor",)),
    "delay": Transition(frozenset({"dispatched"}), ("engineer",), assignee_only=True),
    "inform": Transition(frozenset({"returned", "dispatched", "in_progress"}), ("frontdesk", "supervisor")),
}


def refusal(action: str, status: str, roles: set[str], is_assignee: bool) -> str | None:
    """Why `action` may not happen now, as a code ("state", "role", "assignee"), or None when it may."""
    transition = TRANSITIONS.get(action)
    if transition is None or status not in transition.sources:
        return "state"
    if "admin" not in roles and not roles & set(transition.roles):
        return "role"
    if transition.assignee_only and not is_assignee:
        return "assignee"
    return None


def target(action: str, *, satisfied: bool | None = None, reached: bool = True) -> str | None:
    """The state an allowed action leads to (None: it changes nothing, like photos added or an unanswered call)."""
    if action in ("add_photos", "delay", "inform"):
        return None
    if action == "callback":
        if not reached:
            return None
        return "closed" if satisfied else "reopened"
    return {"dispatch": "dispatched", "start": "in_progress", "finish": "awaiting_callback", "return": "returned",
            "cancel": "cancelled"}[action]
