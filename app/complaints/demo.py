"""Demo data: each demo project's complaint departments with someone responsible, so a complaint can be assigned."""
from sqlmodel import Session

from app.accounts.services import is_member, user_named
from app.complaints.departments import department_users, ensure_departments
from app.complaints.models import DepartmentMember

RESPONSIBLE = {"engineering": "engineer1", "security": "guard1", "cleaning": "supervisor1", "greening": "supervisor1",
               "customer_service": "frontdesk1", "sales": "supervisor1"}


def seed(session: Session, projects) -> None:
    """Add the responsible users a department lacks (those who are members of the project); twice changes nothing."""
    users = {name: user_named(session, name) for name in set(RESPONSIBLE.values())}
    for project in projects:
        for department in ensure_departments(session, project.id):
            user = users.get(RESPONSIBLE.get(department.code, ""))
            if user and not department_users(session, department.id) and is_member(session, user.id, project.id):
                session.add(DepartmentMember(department_id=department.id, user_id=user.id))
    session.commit()
