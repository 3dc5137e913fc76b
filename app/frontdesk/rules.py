"""The rules of an intake the phone can know without the server, embedded in the intake form so a 客服 with no
signal is told what the server would say (`static/js/rules.js` checkIntake): the text is required, a repair or a
follow-up needs a phone (typed, or an occupant chosen in the lookup), a home repair's appointment is not in the
past. Whether a typed unit exists stays the server's to say."""
from app.frontdesk.services import APPOINTMENT_SLACK, REACHABLE, reach_needs


def phone_rules() -> dict:
    return {"reachable": list(REACHABLE), "slack_minutes": int(APPOINTMENT_SLACK.total_seconds() // 60),
            "messages": reach_needs()}
