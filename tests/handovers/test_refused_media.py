"""A refused handover leaves none of its photos or signatures on disk (they were written before the refusal)."""
from pathlib import Path

from tests import images
from tests.handovers.helpers import SIGNATURE, all_present, envelope, post


def _files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file())


def test_a_refused_handover_leaves_no_photo_or_signature_on_disk(app, login_as, world, sample_room):
    root = app.config["MEDIA_ROOT"]
    before = _files(root)
    refused = post(login_as("attendant"), envelope(world, sample_room, all_present()),
                   [("photo-i1", images.image()), ("sign-outgoing", SIGNATURE)])  # no incoming signature
    assert refused.status_code == 422, refused.json
    assert _files(root) == before
