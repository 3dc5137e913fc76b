"""The events the channels raise (in the bell: they are never sent to a channel, or a dead robot would loop)."""
from flask_babel import ngettext

from app.core.notifications import event

GAVE_UP = event("channels.gave_up", lambda p: ngettext(
    "发往“%(channel)s”的消息发送 %(num)d 次均失败,已停止重试:%(reason)s",
    "发往“%(channel)s”的消息发送 %(num)d 次均失败,已停止重试:%(reason)s", p["attempts"], **p))
