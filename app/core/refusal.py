"""The one shape of "refused": a message for the user, the fields at fault, and the HTTP status.

A capability subclasses `Refusal` (`TicketError(Refusal)`), its services raise it, and one error handler
(`app.core.errors`) renders it as a page, an htmx fragment or JSON. The outbox's `RecordRefused` is the same
class, so a refusal raised by a service reaches the phone unchanged.
"""


class Refusal(ValueError):
    """A refusal to show the user; `message` is already translated, `fields` maps input names to their fault."""

    status = 422  # the default: the request was understood but its content is refused

    def __init__(self, message: str, fields: dict[str, str] | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return self.message
