"""The permission helper over a role × project matrix."""
import pytest

from app.accounts.models import PROJECT_ROLES
from app.core.permissions import can_see, has_role, roles_in, visible_projects_stmt

ALL_WHO = PROJECT_ROLES + ("admin", "outsider", "other_admin")


@pytest.mark.parametrize("who", ALL_WHO)
@pytest.mark.parametrize("where", ["p1", "p2", "q"])
def test_a_user_sees_only_projects_they_belong_to(db, world, who, where):
    user, project = world.users[who], getattr(world, where)
    expected = {
        "p1": who in PROJECT_ROLES or who == "admin",
        "p2": who in ("outsider", "admin"),
        "q": who == "other_admin",
    }[where]
    assert can_see(db, user, project) is expected


@pytest.mark.parametrize("who", PROJECT_ROLES)
@pytest.mark.parametrize("required", PROJECT_ROLES)
def test_a_member_holds_exactly_their_role(db, world, who, required):
    assert has_role(db, world.users[who], world.p1, (required,)) is (who == required)


@pytest.mark.parametrize("required", PROJECT_ROLES)
def test_a_company_admin_passes_every_role_check_in_their_company_only(db, world, required):
    admin = world.users["admin"]
    assert has_role(db, admin, world.p1, (required,))
    assert not has_role(db, admin, world.q, (required,))
    assert roles_in(db, admin, world.p1) == {"admin"}


def test_a_role_in_one_project_gives_nothing_in_another(db, world):
    outsider = world.users["outsider"]
    assert roles_in(db, outsider, world.p2) == {"guard", "supervisor"}
    assert roles_in(db, outsider, world.p1) == set()
    assert not has_role(db, outsider, world.p1, ("supervisor",))


def test_a_deactivated_user_holds_no_role(db, world):
    guard = world.users["guard"]
    guard.active = False
    db.add(guard)
    db.commit()
    assert roles_in(db, guard, world.p1) == set()


@pytest.mark.parametrize("who, expected", [
    ("guard", ["江城壹号销售中心"]),
    ("outsider", ["秘密二号项目"]),
    ("admin", ["江城壹号销售中心", "秘密二号项目"]),
    ("other_admin", ["乙公司秘密项目"]),
])
def test_project_listing_follows_membership(db, world, who, expected):
    projects = db.exec(visible_projects_stmt(world.users[who])).all()
    assert sorted(p.name for p in projects) == sorted(expected)
