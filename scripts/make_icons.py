"""Draw the PWA icons: the character 物 in white on the theme colour.

Run from the repository root:  .venv/bin/python scripts/make_icons.py
Writes static/icons/icon-192.png, icon-512.png (rounded square, transparent
corners) and maskable-512.png (full-bleed, glyph inside the central 80 % safe zone).
"""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

THEME = "#0f6b5c"
GLYPH = "物"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"
SUPERSAMPLE = 4  # draw large, then downscale, for smooth edges


def sc_face_index() -> int:
    """Index of "Noto Sans CJK SC" in the collection (simplified-Chinese glyph forms)."""
    for index in range(10):
        if ImageFont.truetype(FONT, size=10, index=index).getname()[0] == "Noto Sans CJK SC":
            return index
    raise SystemExit(f"Noto Sans CJK SC not found in {FONT}")


FONT_INDEX = sc_face_index()


def draw_glyph(img: Image.Image, box_size: float) -> None:
    """Centre the glyph's ink (not its advance box) in img, fitting box_size pixels."""
    font = ImageFont.truetype(FONT, size=int(box_size), index=FONT_INDEX)
    left, top, right, bottom = font.getbbox(GLYPH)
    scale = box_size / max(right - left, bottom - top)
    font = ImageFont.truetype(FONT, size=int(box_size * scale), index=FONT_INDEX)
    left, top, right, bottom = font.getbbox(GLYPH)
    x = (img.width - (right - left)) / 2 - left
    y = (img.height - (bottom - top)) / 2 - top
    ImageDraw.Draw(img).text((x, y), GLYPH, font=font, fill="white")


def icon(size: int, maskable: bool) -> Image.Image:
    big = size * SUPERSAMPLE
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    if maskable:
        # The platform crops to its own shape; anything outside the central
        # 80 % circle may be cut, so the glyph stays well inside it.
        draw.rectangle((0, 0, big, big), fill=THEME)
        draw_glyph(img, big * 0.50)
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.22, fill=THEME)
        draw_glyph(img, big * 0.62)
    img = img.resize((size, size), Image.LANCZOS)
    return img.convert("RGB") if maskable else img  # maskable icons must be opaque


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in [
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("maskable-512.png", 512, True),
    ]:
        icon(size, maskable).save(OUT / name, optimize=True)
        print(OUT / name)


if __name__ == "__main__":
    main()
