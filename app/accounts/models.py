"""Users, their project memberships and roles, and the login throttle's record."""
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow

# Project roles; `admin` (and the read-only `manager`) is company-wide and kept on the user, not on a membership.
PROJECT_ROLES = ("guard", "attendant", "engineer", "inspector", "supervisor", "frontdesk", "cleaner")
ROLES = PROJECT_ROLES + ("admin",)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(
        sa_column_args=[sa.ForeignKey("organisation.id", ondelete="CASCADE")], index=True
    )
    username: str = Field(max_length=40, unique=True)
    display_name: str = Field(max_length=60)
    phone: str = Field(default="", max_length=20)
    password_hash: str = Field(max_length=255)
    active: bool = Field(default=True)
    is_admin: bool = Field(default=False)
    is_manager: bool = Field(default=False)  # company-wide and read only: the month's figures of every site
    locale: str = Field(default="zh_Hans", max_length=10)
    # Changes on password change or deactivation, which ends every session and "remember me" cookie.
    session_token: str = Field(default_factory=lambda: secrets.token_hex(16), max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    # flask-login's user protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"


class Membership(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column_args=[sa.ForeignKey("user.id", ondelete="CASCADE")], index=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    role: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "project_id", "role"),
        sa.CheckConstraint(
            "role IN ('guard', 'attendant', 'engineer', 'inspector', 'supervisor', 'frontdesk', 'cleaner')",
            name="membership_role",
        ),
    )


class LoginFailure(SQLModel, table=True):
    """One failed login; counted per account and per address over a sliding window."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=40, index=True)
    ip: str = Field(max_length=45, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
