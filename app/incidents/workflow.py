"""The incident state machine, in one table: which action moves an incident from which states, and who may.

    open (待跟进) ─follow_up→ following (跟进中) ─follow_up→ following
    open / following ─close→ closed (已关闭)      closed ─reopen→ following
    open / following ─ticket / complaint→ unchanged (a repair ticket or a complaint opened from it, once each)
"""
from dataclasses import dataclass

from app.accounts.models import PROJECT_ROLES

STATUSES = ("open", "following", "closed")
OPEN = ("open", "following")
# Every project role on duty reports and follows up (a `cleaner` role, when it exists, with them); the
# inspector visits unannounced and is not on duty. Company admins pass every role check.
REPORTERS = tuple(role for role in PROJECT_ROLES if role != "inspector")
SUPERVISORS = ("supervisor",)
DESK = ("supervisor", "frontdesk")  # who opens a complaint: it is theirs to the end (首问负责制)


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    roles: tuple


TRANSITIONS = {
    "follow_up": Transition(frozenset(OPEN), REPORTERS),
    "close": Transition(frozenset(OPEN), SUPERVISORS),
    "reopen": Transition(frozenset({"closed"}), SUPERVISORS),
    "ticket": Transition(frozenset(OPEN), REPORTERS),
    "complaint": Transition(frozenset(OPEN), DESK),
}
TARGETS = {"follow_up": "following", "close": "closed", "reopen": "following"}


def refusal(action: str, status: str, roles: set[str]) -> str | None:
    """Why `action` may not happen now, as a code ("state", "role"), or None when it may."""
    transition = TRANSITIONS.get(action)
    if transition is None or status not in transition.sources:
        return "state"
    if "admin" in roles or roles & set(transition.roles):
        return None
    return "role"


def target(action: str, status: str) -> str:
    """The state an allowed action leads to."""
    return TARGETS.get(action, status)
