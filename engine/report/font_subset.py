"""Build the report's embedded Korean font: a subset of NanumGothic (OFL-1.1), renamed as the OFL requires.

    python -m engine.report.font_subset /usr/share/fonts/truetype/nanum/NanumGothic.ttf

(`apt-get download fonts-nanum` and `dpkg-deb -x` give the TTF without installing it.) The subset holds ASCII,
the punctuation the report uses, the 2,350 common Hangul syllables of KS X 1001 and every other syllable the
message catalogs use, so a Linux machine without CJK fonts renders the Korean report."""
from __future__ import annotations

import re
import sys
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILE = FONT_DIR / "scalp-kr-subset.woff"
FAMILY = "ScalpKR"          # OFL: a modified font may not keep the Reserved Font Name (Nanum...)
EXTRA = "·→←↑↓▲▼–—…×≤≥±≈√Σσµ°%‰"


def needed_text() -> str:
    """Every character the report may draw in Korean: ASCII, KS X 1001 syllables, the catalogs' own text."""
    common = "".join(ch for ch in map(chr, range(0xAC00, 0xD7A4)) if _in_ks_x_1001(ch))
    return "".join(map(chr, range(0x20, 0x7F))) + EXTRA + common + catalog_text()


def catalog_text() -> str:
    from engine.i18n import catalog
    from engine.messages.components import KO
    texts = [v.get("ko", "") for v in catalog().values()] + list(KO.values())
    return "".join(sorted(set(re.sub(r"\s", "", "".join(texts)))))


def _in_ks_x_1001(ch: str) -> bool:
    try:
        ch.encode("euc-kr")
        return True
    except UnicodeEncodeError:
        return False


def build(src: Path, out: Path = FONT_FILE) -> Path:
    from fontTools import subset
    from fontTools.ttLib import TTFont
    opts = subset.Options()
    opts.flavor = "woff"                  # zlib; woff2 would need brotli
    opts.layout_features = ["*"]
    opts.hinting = False                  # screen rendering at report sizes does not need TrueType hints
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    font = TTFont(str(src))
    sub = subset.Subsetter(opts)
    sub.populate(text=needed_text())
    sub.subset(font)
    for rec in font["name"].names:
        if rec.nameID in (1, 4, 16):
            rec.string = FAMILY
        elif rec.nameID in (3, 6):
            rec.string = f"{FAMILY}-Regular"
    out.parent.mkdir(parents=True, exist_ok=True)
    font.flavor = "woff"
    font.save(str(out))
    return out


if __name__ == "__main__":
    path = build(Path(sys.argv[1]))
    print(f"{path} ({path.stat().st_size:,} bytes)")
