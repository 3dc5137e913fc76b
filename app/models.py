"""Every table, imported in one place so that SQLModel's metadata is complete (Alembic, tests)."""


def load_all() -> None:
    from app.accounts import models as _accounts  # noqa: F401
    from app.callbacks import models as _callbacks  # noqa: F401
    from app.channels import models as _channels  # noqa: F401
    from app.checklists import models as _checklists  # noqa: F401
    from app.complaints import models as _complaints  # noqa: F401
    from app.core import attention as _attention  # noqa: F401
    from app.core import audit as _audit  # noqa: F401
    from app.core import clock as _clock  # noqa: F401
    from app.core import notifications as _notifications  # noqa: F401
    from app.core import once as _once  # noqa: F401
    from app.core import photos as _photos  # noqa: F401
    from app.frontdesk import models as _frontdesk  # noqa: F401
    from app.handovers import models as _handovers  # noqa: F401
    from app.incidents import models as _incidents  # noqa: F401
    from app.inspections import models as _inspections  # noqa: F401
    from app.month import models as _month  # noqa: F401
    from app.patrols import models as _patrols  # noqa: F401
    from app.projects import models as _projects  # noqa: F401
    from app.registers import models as _registers  # noqa: F401
    from app.repairs import models as _repairs  # noqa: F401
    from app.shifts import models as _shifts  # noqa: F401
    from app.sync import models as _sync  # noqa: F401
