"""The complaints' fixtures: a day of complaints whose report figures are worked out by hand."""
from datetime import timedelta

import pytest

from tests.complaints.helpers import DAY, at, complaint, departments


@pytest.fixture
def tenth(world, db):
    """Seven complaints of P1 around 10 March 2026 (Shanghai) and one of P2; the figures are worked out below."""
    d = departments(db, world.p1)
    desk = world.users["frontdesk"]

    def make(received, **fields):
        received_at = at(*received)
        return complaint(db, world.p1, owner=desk, received_at=received_at,
                         reply_due_at=received_at + timedelta(hours=24), **fields)

    world.tenth = {
        # A: of the day, replied on time
        "A": make((DAY, "08:30"), category="噪音", department=d["security"], status="replied",
                  first_replied_at=at(DAY, "12:00"), replied_at=at(DAY, "12:00")),
        # B: of the day, with cleaning, no reply yet but nothing late at midnight
        "B": make((DAY, "10:00"), category="环境卫生", department=d["cleaning"], status="assigned"),
        # C: of the day, the desk's own: handled by midnight exactly, which is not yet late
        "C": make((DAY, "14:00"), category="噪音", status="received", resolve_due_at=at("2026-03-11", "00:00")),
        # D: two days old, its first reply overdue since the 9th
        "D": make(("2026-03-08", "09:00"), category="设施设备", department=d["security"], status="assigned"),
        # E: from the 9th, closed on the day
        "E": make(("2026-03-09", "10:00"), category="停车", department=d["security"], status="closed",
                  first_replied_at=at("2026-03-09", "11:00"), replied_at=at("2026-03-09", "11:00"),
                  closed_at=at(DAY, "15:00")),
        # F: ten minutes into the day (still the 9th in UTC), its reply came after its 24 hours
        "F": make((DAY, "00:10"), category="服务态度", status="replied", first_replied_at=at("2026-03-11", "02:00"),
                  replied_at=at("2026-03-11", "02:00"), resolve_due_at=at("2026-03-11", "00:00")),
        # G: five minutes into the 11th: not of the day
        "G": make(("2026-03-11", "00:05"), category="噪音", status="received"),
        # I: of the day, the desk's, replied and closed the same day
        "I": make((DAY, "11:00"), category="其他", department=d["customer_service"], status="closed",
                  first_replied_at=at(DAY, "11:30"), replied_at=at(DAY, "11:30"), closed_at=at(DAY, "18:00")),
    }
    complaint(db, world.p2, received_at=at(DAY, "09:00"), category="噪音")  # another project
    return world
