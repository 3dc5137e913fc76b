"""The resident form bounds what an anonymous post can cost: cheap checks first, pixels counted from the headers
before anything is decoded, refused posts counted against the address's limit, and a stamp that goes stale."""
import io
from datetime import timedelta

import pytest
from sqlmodel import select

from app.core import photos as pipeline
from app.core.db import utcnow
from app.repairs import public
from app.repairs.models import Ticket
from tests import images
from tests.html import alert
from tests.repairs.test_public import _no_fill_delay, _submit, form_url  # noqa: F401  (fixtures)


@pytest.fixture
def no_decoding(monkeypatch):
    """Any photo decoded from here on fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("a photo was decoded")

    monkeypatch.setattr(pipeline, "process", refuse)


def test_a_post_missing_a_field_is_refused_without_decoding_its_photos(client, form_url, no_decoding):
    response = _submit(client, form_url, name="")
    assert response.status_code == 422 and alert(response) == "请填写您的称呼。"


def test_photos_declaring_too_many_pixels_in_all_are_refused_from_their_headers(client, form_url, db, no_decoding):
    bombs = [(io.BytesIO(images.png_bomb(7000, 7000)), f"{n}.png") for n in range(4)]
    response = _submit(client, form_url, photos=bombs)
    assert response.status_code == 422 and "总像素过多" in alert(response)
    assert db.exec(select(Ticket).where(Ticket.source == "resident")).all() == []


def test_refused_posts_count_against_the_addresss_hourly_limit(client, form_url, db):
    for _ in range(public.PER_IP_PER_HOUR):
        assert _submit(client, form_url, ip="198.51.100.7", description="").status_code == 422
    assert _submit(client, form_url, ip="198.51.100.7").status_code == 429
    assert _submit(client, form_url, ip="198.51.100.8").status_code == 303  # another address still may


def test_honeypot_posts_count_too(client, form_url):
    for _ in range(public.PER_IP_PER_HOUR):
        assert _submit(client, form_url, ip="198.51.100.9", website="x").status_code == 303
    assert _submit(client, form_url, ip="198.51.100.9").status_code == 429


def test_a_stamp_older_than_its_maximum_age_is_refused(app, world):
    key = app.config["SECRET_KEY"]
    stamp = public.form_stamp(world.p1.id, secret_key=key)
    later = utcnow() + timedelta(seconds=public.STAMP_MAX_AGE + 60)
    assert public.fill_seconds(stamp, project_id=world.p1.id, now=later, secret_key=key) is None
    assert public.fill_seconds(stamp, project_id=world.p1.id, now=utcnow(), secret_key=key) is not None


def test_the_pipeline_refuses_a_batch_over_its_pixel_budget_before_decoding_any(no_decoding):
    bomb = images.png_bomb(4000, 4000)
    assert pipeline.declared_pixels(bomb) == 16_000_000
    with pytest.raises(pipeline.PhotoError) as refused:
        pipeline.process_all([bomb] * 4, max_bytes=15_000_000, max_pixels=60_000_000)
    assert refused.value.fields == {"photos": "图片像素过多,无法处理。"}


def test_a_records_budget_grows_with_the_photos_its_kind_may_carry():
    assert pipeline.pixel_budget(4) == pipeline.MAX_PIXELS
    assert pipeline.pixel_budget(120) == 120 * pipeline.PIXELS_PER_PHOTO
