"""Real image files made with Pillow for the photo tests, including hostile ones."""
import io
import random
import zlib

from PIL import Image, ImageChops, ImageDraw, ImageFilter


def image(fmt: str = "JPEG", size=(800, 600), color=(200, 60, 30), exif=None) -> bytes:
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    out = io.BytesIO()
    picture = Image.new("RGB", size, color)
    for x in range(0, size[0], 40):  # some detail, so that it is not a flat colour
        picture.paste((x % 255, 90, 160), (x, 0, x + 20, size[1] // 2))
    kwargs = {"exif": exif} if exif is not None else {}
    picture.save(out, fmt, **kwargs)
    return out.getvalue()


def scene(size=(4000, 3000), seed: int = 1, exif=None) -> bytes:
    """A photo-like JPEG at phone quality: smooth shading, hard edges, small text and sensor noise."""
    rng = random.Random(seed)
    width, height = size
    shapes = Image.effect_mandelbrot((width // 8, height // 8), (-2.2, -1.2, 1.0, 1.2), 60).convert("RGB")
    picture = Image.blend(shapes.resize(size, Image.BICUBIC), Image.linear_gradient("L").resize(size).convert("RGB"), 0.5)
    draw = ImageDraw.Draw(picture)
    for _ in range(400):
        x, y, colour = rng.randrange(width), rng.randrange(height), tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.rectangle((x, y, x + rng.randrange(20, 400), y + rng.randrange(5, 200)), outline=colour,
                           width=rng.randrange(1, 6))
        else:
            draw.text((x, y), "物业 ABC 123", fill=colour)
    picture = ImageChops.add(picture, Image.effect_noise(size, 12).convert("RGB"), offset=-128)
    out = io.BytesIO()
    picture.filter(ImageFilter.GaussianBlur(0.6)).save(out, "JPEG", quality=92, **({"exif": exif} if exif else {}))
    return out.getvalue()


def jpeg_with_orientation_and_gps() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010F] = "WuyePhone"  # camera make
    exif.get_ifd(0x8825).update({1: "N", 2: (30.0, 35.0, 0.0), 3: "E", 4: (114.0, 18.0, 0.0)})  # GPS
    return image("JPEG", size=(400, 200), exif=exif)


def truncated_jpeg() -> bytes:
    return image("JPEG")[:2000]


def pdf_renamed_jpg() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A tiny PNG that claims 400 megapixels: decoding it would eat gigabytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    rows = zlib.compress(b"\x00" * (width * 3 + 1) * 16)  # only a few rows: enough to be opened
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
