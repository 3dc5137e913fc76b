"""Extract messages, update the zh_Hant and en catalogues, fill empty zh_Hant entries with OpenCC.

Message ids are the Simplified Chinese UI text, so zh_Hans needs no catalogue. Traditional Chinese is
converted automatically (then reviewed in the .po file); English is translated by hand.
Run through `make i18n-update`.
"""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"
BIN = Path(sys.executable).parent


def pybabel(*args: str) -> None:
    subprocess.run([str(BIN / "pybabel"), "-q", *args], check=True, cwd=ROOT)


def fill_traditional(po_path: Path) -> int:
    import opencc

    converter = opencc.OpenCC("s2t")
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    def traditional(msgid):  # a plural message (ngettext) has a tuple of ids and gets one string per form
        return tuple(converter.convert(i) for i in msgid) if isinstance(msgid, tuple) else converter.convert(msgid)

    def empty(string):
        return not any(string) if isinstance(string, (tuple, list)) else not string

    filled = 0
    for message in catalog:
        if message.id and empty(message.string):
            message.string = traditional(message.id)
            message.flags.discard("fuzzy")
            filled += 1
        elif message.id and "fuzzy" in message.flags:
            message.string = traditional(message.id)
            message.flags.discard("fuzzy")
    with po_path.open("wb") as fh:
        write_po(fh, catalog, width=100)
    return filled


def main() -> None:
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output", "-o", str(POT), ".")
    for locale in ("zh_Hant", "en"):
        po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
        if po.exists():
            pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", locale, "--no-fuzzy-matching", "-w", "100")
        else:
            pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", locale, "-w", "100")
    print(f"zh_Hant: {fill_traditional(TRANSLATIONS / 'zh_Hant' / 'LC_MESSAGES' / 'messages.po')} entries converted")
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        missing = [m.id for m in read_po(fh) if m.id and not m.string]
    print(f"en: {len(missing)} entries still untranslated")


if __name__ == "__main__":
    main()
