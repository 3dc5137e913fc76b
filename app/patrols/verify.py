"""Verification: what a round's visits prove, and what they do not. Derived on read, never stored.

Everything is judged on the phone's time at the checkpoint (`scanned_at`), so a visit scanned on time
and uploaded hours later counts as on time.
"""
import math
from dataclasses import dataclass, field
from datetime import datetime

FLAGS = ("early", "late", "out_of_order", "too_fast", "duplicate", "manual", "gps_far")
STATUSES = ("upcoming", "due", "in_progress", "done", "late", "incomplete", "missed")


@dataclass
class VisitFlags:
    visit: object
    flags: list[str] = field(default_factory=list)


@dataclass
class Assessment:
    status: str
    visits: list[VisitFlags]
    missed_positions: list[int]

    @property
    def visited(self) -> int:
        """The checkpoints visited (a second scan of one counts once)."""
        return len({v.visit.position for v in self.visits})

    @property
    def any_flags(self) -> bool:
        return any(v.flags for v in self.visits)

    @property
    def flagged(self) -> bool:
        return self.any_flags or bool(self.missed_positions) or self.status in ("late", "missed",
                                                                                                   "incomplete")


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine); plenty for "is the guard near the checkpoint"."""
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def assess(*, round_, visits: list, positions: dict[int, tuple[float, float]], min_walk_seconds: int,
           max_gps_metres: int, now: datetime) -> Assessment:
    """`positions` maps a stop position to its checkpoint's (lat, lon) when known."""
    ordered = sorted(visits, key=lambda v: (v.scanned_at, v.id or 0))
    result, seen, previous, highest = [], set(), None, 0
    for visit in ordered:
        flags = []
        if visit.scanned_at < round_.slot_start:  # the 18:00 round walked at 16:16 is not on time
            flags.append("early")
        if visit.scanned_at > round_.deadline:
            flags.append("late")
        if visit.position in seen:
            flags.append("duplicate")
        elif visit.position < highest:
            flags.append("out_of_order")
        if previous is not None and previous.position != visit.position:
            if (visit.scanned_at - previous.scanned_at).total_seconds() < min_walk_seconds:
                flags.append("too_fast")
        if visit.method == "manual":
            flags.append("manual")
        known = positions.get(visit.position)
        if known and visit.latitude is not None and visit.longitude is not None:
            slack = visit.accuracy or 0
            if distance_metres(visit.latitude, visit.longitude, *known) - slack > max_gps_metres:
                flags.append("gps_far")
        seen.add(visit.position)
        highest = max(highest, visit.position)
        previous = visit
        result.append(VisitFlags(visit, flags))

    all_positions = [stop["position"] for stop in round_.stops]
    missing = [p for p in all_positions if p not in seen]
    if not ordered:
        status = "missed" if now > round_.deadline else "due" if now >= round_.slot_start else "upcoming"
        return Assessment(status, [], missing if status == "missed" else [])
    complete = not missing
    if complete:
        status = "late" if ordered[0].scanned_at > round_.deadline else "done"
    elif round_.finished_at is not None or now > round_.closes_at:
        status = "incomplete"
    else:
        return Assessment("in_progress", result, [])
    return Assessment(status, result, missing)
