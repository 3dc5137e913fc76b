"""The photo pipeline with real files: accepted formats, orientation, metadata, hostile input."""
import functools
import io
import threading
import time

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat

from app.core import photos
from app.core.photos import PhotoError, process
from tests import images

CAP = 15_000_000


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_each_phone_format_becomes_a_jpeg_with_a_thumbnail(app, ctx, fmt):
    photo = process(images.image(fmt, size=(2400, 1800)), max_bytes=CAP)
    with Image.open(io.BytesIO(photo.data)) as big, Image.open(io.BytesIO(photo.thumb)) as small:
        assert big.format == "JPEG" and small.format == "JPEG"
        assert max(big.size) == 1600 and (photo.width, photo.height) == big.size == (1600, 1200)
        assert max(small.size) == 320


def test_orientation_is_applied_and_metadata_removed(app, ctx):
    photo = process(images.jpeg_with_orientation_and_gps(), max_bytes=CAP)
    with Image.open(io.BytesIO(photo.data)) as result:
        assert result.size == (200, 400)  # turned upright
        exif = result.getexif()
        assert 0x8825 not in exif and 0x010F not in exif and 0x0112 not in exif


@pytest.mark.parametrize("raw, message", [
    (images.truncated_jpeg(), "文件不是可识别的照片,或已损坏。"),
    (images.pdf_renamed_jpg(), "文件不是可识别的照片,或已损坏。"),
    (b"", "照片是空的。"),
    (images.png_bomb(), "图片像素过多,无法处理。"),
    (images.image("GIF"), "不支持的图片格式:GIF。请上传 JPEG、PNG、WebP 或 HEIC 照片。"),
])
def test_hostile_or_broken_files_are_refused_with_a_reason(app, ctx, raw, message):
    with pytest.raises(PhotoError) as refused:
        process(raw, max_bytes=CAP)
    assert str(refused.value) == message


def test_a_file_over_the_cap_is_refused_before_decoding(app, ctx):
    with pytest.raises(PhotoError, match="照片太大"):
        process(b"\xff\xd8" + b"0" * 2_000_001, max_bytes=2_000_000)


def test_a_project_may_keep_the_gps_position_but_nothing_else(app, ctx):
    photo = process(images.jpeg_with_orientation_and_gps(), max_bytes=CAP, keep_location=True)
    with Image.open(io.BytesIO(photo.data)) as result:
        exif = result.getexif()
        assert exif.get_ifd(0x8825)[2] == (30.0, 35.0, 0.0)  # latitude kept
        assert 0x010F not in exif and 0x0112 not in exif  # camera make and orientation still gone
        assert result.size == (200, 400)


def _mean_error(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


@functools.cache
def _sideways_scene() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # held sideways
    return images.scene((3200, 2400), exif=exif)


def test_a_large_photo_decoded_at_reduced_scale_keeps_its_detail(app, ctx):
    raw = _sideways_scene()
    photo = process(raw, max_bytes=CAP)
    with Image.open(io.BytesIO(raw)) as source:
        truth = ImageOps.exif_transpose(source).convert("RGB").resize((1200, 1600), Image.LANCZOS)
    with Image.open(io.BytesIO(photo.data)) as result:
        assert result.size == (1200, 1600)
        assert _mean_error(result.convert("RGB"), truth) < 4.5  # 3.3 of 255 measured; q85 alone costs 3.0


def test_a_truncated_large_photo_is_still_refused(app, ctx):
    with pytest.raises(PhotoError, match="已损坏"):
        process(_sideways_scene()[:-200_000], max_bytes=CAP)


def test_a_large_turned_photo_is_scaled_and_turned_upright(app, ctx):
    exif = Image.Exif()
    exif[0x0112] = 6  # the phone was held upright: the pixels lie on their side
    photo = process(images.image("JPEG", size=(4000, 2000), exif=exif), max_bytes=CAP)
    assert (photo.width, photo.height) == (800, 1600)


def test_while_the_decode_budget_is_taken_a_photo_is_refused_as_busy_without_waiting_long(app, ctx):
    # Eight threads each decoding a 49 MP PNG took the served app to 3.5 GB: the pixels decoded at once are bounded.
    taken, release = threading.Event(), threading.Event()

    def other_request():
        with photos.decoding.held(photos.DECODE_PIXELS, wait=1):
            taken.set()
            release.wait(10)

    holder = threading.Thread(target=other_request)
    holder.start()
    try:
        assert taken.wait(10)
        started = time.monotonic()
        with pytest.raises(photos.PhotoBusy) as refused:
            process(images.image("PNG", size=(1200, 900)), max_bytes=CAP)
        assert refused.value.status == 503 and time.monotonic() - started < 2
    finally:
        release.set()
        holder.join(10)
    assert process(images.image("PNG", size=(1200, 900)), max_bytes=CAP).width == 1200  # free again


@pytest.mark.parametrize(("size", "thumb"), [((1600, 1200), (320, 240)), ((900, 700), (300, 234)),
                                             ((1000, 750), (250, 188)), ((700, 525), (320, 240)),
                                             ((200, 150), (200, 150))])
def test_a_thumbnail_fills_a_tile_twice_over_and_stays_within_320(app, ctx, size, thumb):
    photo = process(images.image("JPEG", size=size), max_bytes=CAP)
    with Image.open(io.BytesIO(photo.thumb)) as small:
        assert small.size == thumb
