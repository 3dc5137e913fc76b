"""The photo pipeline shared by every capability: verify by decoding, cap, re-encode, thumbnail, store.

Whatever the phone sends (JPEG, PNG, WebP, HEIC), what is kept is a JPEG re-encoded from the decoded
pixels, orientation applied, with no metadata (no device serial, and no GPS position unless the project
chose to keep it), plus a thumbnail.
Anything that does not decode as one of those formats is refused with a message for the user.
Files written in a transaction that does not commit are removed when it ends; `app.core.media` finds the rest.
"""
import contextlib
import hashlib
import io
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel, select

from app.core.db import UTCDateTime, utcnow
from app.core.permissions import directory, has_role
from app.core.refusal import Refusal

log = logging.getLogger(__name__)
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF"}
MAX_PIXELS = 50_000_000  # a 12 MP phone photo is far below; a decompression bomb is far above
PIXELS_PER_PHOTO = 8_000_000  # a record's budget per photo it may carry; the phone sends 1600 px sides (2.6 MP)
FORM_PHOTOS = 10  # the photos a plain web form's budget is counted for
LONG_SIDE = 1600
THUMB_SIDE = 320
THUMB_MIN = 240  # a photo tile is 7.5rem (120 CSS px) wide: its thumbnail at least twice that
# Pixels this process decodes at once, all requests together: one photo of MAX_PIXELS (about 250 MB while it is
# decoded), or many ordinary ones. Eight threads each decoding a 49 MP PNG took the server to 3.5 GB and /healthz
# past 5 s. A photo that finds the budget taken for longer than the wait is refused as busy (503: the phone
# retries, a form says try again), so waiting requests do not hold every thread either.
DECODE_PIXELS = MAX_PIXELS
DECODE_WAIT_SECONDS = 0.25

try:  # HEIC from iPhones
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - the dependency is declared; this only keeps JPEG working without it
    ACCEPTED_FORMATS.discard("HEIF")


class PhotoError(Refusal):
    """A refusal to show the user; the message is already translated."""


class PhotoBusy(Refusal):
    """The server is decoding as many pixels as it may at once: try again shortly (503)."""


class _DecodeBudget:
    def __init__(self, pixels: int):
        self.total = self.free = pixels
        self.changed = threading.Condition()

    @contextlib.contextmanager
    def held(self, pixels: int, wait: float):
        pixels = min(pixels, self.total)
        with self.changed:
            if not self.changed.wait_for(lambda: self.free >= pixels, timeout=wait):
                raise PhotoBusy(_("服务器正忙于处理其他照片,请稍后重试。"), status=503)
            self.free -= pixels
        try:
            yield
        finally:
            with self.changed:
                self.free += pixels
                self.changed.notify_all()


decoding = _DecodeBudget(DECODE_PIXELS)


class Photo(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column_args=[sa.ForeignKey("project.id", ondelete="CASCADE")], index=True)
    owner_type: str = Field(max_length=40)  # e.g. "ticket"
    owner_id: int
    position: int = Field(default=0)
    key: str = Field(max_length=255)
    thumb_key: str = Field(max_length=255)
    width: int
    height: int
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by: int | None = Field(default=None, sa_column_args=[sa.ForeignKey("user.id", ondelete="SET NULL")])
    taken_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.Index("ix_photo_owner", "owner_type", "owner_id"),)


@dataclass
class ProcessedPhoto:
    data: bytes
    thumb: bytes
    width: int
    height: int
    sha256: str


GPS_IFD = 0x8825
# Bilinear (antialiased, its support widened by the ratio): 12 MP drafted to 2000 px and scaled to 1600 in 33 ms
# against bicubic's 52; against a Lanczos scale of the full decode, after the q85 encode, PSNR 33.0 dB (bicubic
# 33.6): the JPEG's own error dominates. With the plain encode, 12 MP intake 0.55 -> 0.69x decode-and-insert (bench).
RESIZE = Image.Resampling.BILINEAR


def _jpeg(image: Image.Image, quality: int, exif: Image.Exif | None = None) -> bytes:
    # Baseline with libjpeg's standard Huffman tables, identical pixels whatever the tables: measured on a 12 MP
    # photo scaled to 1600 px, optimised tables made the file 5 % smaller for 2.2x the encode time (16 vs 7 ms),
    # progressive 3.5 % smaller again for 2.3x more. A ~300 KB phone photo is not resized, so its encode is half
    # the server's work per photo: the throughput of a burst goes before 5 % of storage. docs/benchmarks.md.
    out = io.BytesIO()
    extra = {"exif": exif} if exif is not None else {}
    image.save(out, "JPEG", quality=quality, **extra)
    return out.getvalue()


def _decode_at_scale(probe: Image.Image) -> None:
    """Let libjpeg decode a large JPEG at 1/2, 1/4 or 1/8 scale, never below LONG_SIDE on the long side.

    A 12 MP photo then decodes at 2000x1500 in a quarter of the time; after the resize to 1600 and the
    encode, its mean error against a full decode differs by 0.07 of 255 (PSNR 33.6 vs 33.7 dB).
    Other formats ignore the hint.
    """
    width, height = probe.size
    longest = max(width, height)
    if longest > LONG_SIDE:
        probe.draft("RGB", (-(-width * LONG_SIDE // longest), -(-height * LONG_SIDE // longest)))


def _location_only(source: Image.Image) -> Image.Exif | None:
    """An EXIF block holding nothing but the source's GPS position, if it had one."""
    gps = source.getexif().get_ifd(GPS_IFD)
    if not gps:
        return None
    exif = Image.Exif()
    exif.get_ifd(GPS_IFD).update(gps)
    return exif


def _reduced(probe: Image.Image) -> Image.Image:
    """The decoded photo at most LONG_SIDE on its long side, upright, in RGB: an RGB photo is scaled and turned in
    place (the box is square, so the order changes nothing), so no full-size copy is made; use it before `probe`
    is closed."""
    if probe.mode in ("RGB", "L"):
        probe.thumbnail((LONG_SIDE, LONG_SIDE), RESIZE)
    ImageOps.exif_transpose(probe, in_place=True)
    image = probe
    if image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((LONG_SIDE, LONG_SIDE), RESIZE)  # a no-op unless the mode needed converting first
    return image


def _thumbnail(image: Image.Image) -> Image.Image:
    """At most THUMB_SIDE on the long side, made from the encoded photo (changed in place, or a new image).

    A box average by the integer factor that brings the long side within THUMB_SIDE (reduce(): 0.8 ms for a
    900x700 photo) while it keeps THUMB_MIN (a tile at twice its CSS width): exactly 320 px from the phone's 1600 and
    1280, 300 from 900. Otherwise reduce() by the largest factor that stays above THUMB_SIDE, then bicubic over
    what is left (it took 3.5 ms for the 900x700, most of it the scaling after the reduce), 35-39 dB against a Lanczos
    thumbnail (Pillow's default 40-42 dB, three times the time)."""
    factor = -(-max(image.size) // THUMB_SIDE)
    if factor > 1 and max(image.size) // factor >= THUMB_MIN:
        return image.reduce(factor)
    image.thumbnail((THUMB_SIDE, THUMB_SIDE), reducing_gap=1.0)
    return image


def process(raw: bytes, *, max_bytes: int, keep_location: bool = False) -> ProcessedPhoto:
    """Decode, check and re-encode one photo; raise PhotoError with the reason."""
    if len(raw) > max_bytes:
        raise PhotoError(_("照片太大(%(mb).1f MB),上限 %(max)d MB。", mb=len(raw) / 1e6, max=max_bytes // 1_000_000))
    if not raw:
        raise PhotoError(_("照片是空的。"))
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    # WeasyPrint sets this to True on import; a truncated upload must be refused, not padded with grey.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise PhotoError(_("不支持的图片格式:%(fmt)s。请上传 JPEG、PNG、WebP 或 HEIC 照片。", fmt=probe.format))
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError(_("图片像素过多,无法处理。"))
            _decode_at_scale(probe)
            with decoding.held(probe.width * probe.height, DECODE_WAIT_SECONDS):
                probe.load()  # decodes every pixel: a truncated or corrupt file fails here
                location = _location_only(probe) if keep_location else None
                image = _reduced(probe)
            data, width, height = _jpeg(image, 85, location), image.width, image.height
            thumb = _jpeg(_thumbnail(image), 75)
    except (PhotoError, PhotoBusy):
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, Image.DecompressionBombError):
            raise PhotoError(_("图片像素过多,无法处理。")) from None
        raise PhotoError(_("文件不是可识别的照片,或已损坏。")) from None
    return ProcessedPhoto(data=data, thumb=thumb, width=width, height=height,
                          sha256=hashlib.sha256(data).hexdigest())


def declared_pixels(raw: bytes) -> int:
    """The pixel count an image's header declares, nothing decoded; 0 for what does not open (refused later)."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            return probe.width * probe.height
    except Image.DecompressionBombError:
        return MAX_PIXELS + 1
    except Exception:  # noqa: BLE001 - whatever does not open is refused with its reason by `process`
        return 0


def pixel_budget(max_photos: int) -> int:
    """The pixels a request or record with up to `max_photos` photos may decode in all (at least one full photo)."""
    return max(MAX_PIXELS, max_photos * PIXELS_PER_PHOTO)


def process_all(raws: list[bytes], *, max_bytes: int, max_pixels: int, keep_location: bool = False,
                ) -> list[ProcessedPhoto]:
    """Process one request's photos; before any is decoded, refuse them when their headers declare more than
    `max_pixels` in all, so the work a request can cause is bounded whatever its photo count. A photo's refusal
    names it ("第 2 张照片:…"), its bare reason under the "photos" field."""
    if sum(declared_pixels(raw) for raw in raws if len(raw) <= max_bytes) > max_pixels:
        reason = _("图片像素过多,无法处理。")
        raise PhotoError(_("照片的总像素过多,请少传几张或降低分辨率。"), {"photos": reason})
    if not raws:
        return []
    processed = []
    for number, raw in enumerate(raws, start=1):
        try:
            processed.append(process(raw, max_bytes=max_bytes, keep_location=keep_location))
        except PhotoError as exc:
            reason = str(exc)
            raise PhotoError(_("第 %(n)d 张照片:%(reason)s", n=number, reason=reason), {"photos": reason}) from None
    return processed


def store(storage, *, prefix: str, index: int, photo: ProcessedPhoto) -> tuple[str, str]:
    """Save a processed photo under deterministic keys, so a retried upload overwrites rather than piles up."""
    key, thumb_key = f"{prefix}/{index}.jpg", f"{prefix}/{index}.thumb.jpg"
    storage.save(key, photo.data, "image/jpeg")
    storage.save(thumb_key, photo.thumb, "image/jpeg")
    return key, thumb_key


# -- who may see a photo: the rule of the record that owns it --------------------------------------------

Rule = Callable[[Session, object, Photo], bool]
VIEWERS: dict[str, Rule] = {}


def register_viewers(owner_types, rule: Rule) -> None:
    """A capability says, for each owner type it stores, who may see such a photo: `rule(session, user, photo)`,
    the rule of the owning record's page. An owner type nobody registered is shown to no one."""
    for owner_type in (owner_types,) if isinstance(owner_types, str) else owner_types:
        VIEWERS[owner_type] = rule


def for_roles(*roles: str) -> Rule:
    """The common rule: members of the photo's project holding one of `roles` (any role if none), and admins."""
    def rule(session: Session, user, photo: Photo) -> bool:
        project = session.get(directory.project_model, photo.project_id)
        return project is not None and has_role(session, user, project, roles)

    return rule


def may_see(session: Session, user, photo: Photo) -> bool:
    rule = VIEWERS.get(photo.owner_type)
    return rule is not None and rule(session, user, photo)


def photos_of(session: Session, owner_type: str, owner_id: int) -> list[Photo]:
    """The photos of one record, in the order they were taken."""
    return session.exec(
        select(Photo).where(Photo.owner_type == owner_type, Photo.owner_id == owner_id).order_by(Photo.position)
    ).all()


def photos_by_owner(session: Session, owner_type: str, owner_ids) -> dict[int, list[Photo]]:
    """The photos of many records of one type in one query, by owner id (owners without photos are absent)."""
    ids = {i for i in owner_ids if i}
    found: dict[int, list[Photo]] = {}
    if not ids:
        return found
    for photo in session.exec(select(Photo).where(Photo.owner_type == owner_type, Photo.owner_id.in_(ids))
                              .order_by(Photo.owner_id, Photo.position, Photo.id)):
        found.setdefault(photo.owner_id, []).append(photo)
    return found


def attach(session: Session, storage, photos: list[ProcessedPhoto], *, project_id: int, owner_type: str, owner_id: int,
           uploaded_by: int | None, taken_at: datetime | None, prefix: str) -> list[Photo]:
    """Store processed photos and add their rows to the session; they commit with their record."""
    rows = []
    for index, photo in enumerate(photos):
        key, thumb_key = store(storage, prefix=prefix, index=index, photo=photo)
        rows.append(Photo(project_id=project_id, owner_type=owner_type, owner_id=owner_id, position=index, key=key,
                          thumb_key=thumb_key, width=photo.width, height=photo.height, size=len(photo.data),
                          sha256=photo.sha256, uploaded_by=uploaded_by, taken_at=taken_at))
    session.add_all(rows)
    session.info.setdefault(STORED, []).extend((storage, key) for row in rows for key in (row.key, row.thumb_key))
    return rows


# -- files of records that were never committed -----------------------------------------------------------

STORED = "photos.stored"  # session.info: (storage, key) of the files this transaction wrote


@event.listens_for(OrmSession, "after_commit")
def _kept(session: OrmSession) -> None:
    session.info.pop(STORED, None)


@event.listens_for(OrmSession, "after_transaction_end")
def _remove_uncommitted(session: OrmSession, transaction) -> None:
    """A transaction that wrote photo files ended without committing (refused, failed, rolled back): its files go,
    unless a row holds their key (a concurrent copy of the same outbox record, with the same keys, committed)."""
    if transaction.parent is not None or not session.info.get(STORED):
        return
    stored = session.info.pop(STORED)
    keys = {key for _storage, key in stored}
    with session.get_bind().connect() as conn:
        kept = {key for row in conn.execute(sa.select(Photo.key, Photo.thumb_key).where(
            sa.or_(Photo.key.in_(keys), Photo.thumb_key.in_(keys)))) for key in row}
    for storage, key in stored:
        if key not in kept:
            try:
                storage.delete(key)
            except Exception:  # noqa: BLE001 - `flask media check --fix` finds what could not go now
                log.warning("could not remove uncommitted media %s", key, exc_info=True)
