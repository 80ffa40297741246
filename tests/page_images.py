"""Page-image regression: chosen pages of a demo report rendered to PNG and compared with references.

    python tests/page_images.py --refresh      # or: make refresh-pages

rebuilds the demo report, converts it with the PDF converter, and rewrites the reference
images in tests/golden/pages/ (plus fonts.json: the stand-in fonts they were drawn with).
Run it after an intended layout change, look at the new PNGs, and commit them.

The comparison survives anti-aliasing: both images are blurred by one pixel and only
pixels whose grey level still differs by more than ``THRESHOLD`` count; a page fails when
more than ``MAX_FRACTION`` of its pixels differ. A failing page writes
``out/page-diffs/<page>-diff.png`` (reference | new | differences in red) and the message
says where on the page the differences are.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden" / "pages"
DIFFS = REPO / "out" / "page-diffs"
DEMO = REPO / "inputs" / "whkjcyjq"
DPI = 50  # A4 at 50 dpi is 413 × 585 pixels: a few tens of KB a page
THRESHOLD = 64  # grey levels (of 255), after blurring
MAX_FRACTION = 0.002  # of the page's pixels


@dataclass(frozen=True)
class Page:
    name: str
    what: str  # for messages
    pattern: str  # the first page whose text matches (all lines joined)


PAGES = [
    Page("title", "题目页", r"年度总结报告"),
    Page("headings", "一级和二级标题同页", r"二、集群发展情况.*（一）"),
    Page("appendix-table", "附件1 主要指标表", r"附件\s*1.*主要指标"),
]


def page_numbers(pdf: Path) -> dict[str, int]:
    """Page name → 1-based page number in ``pdf``, found by text."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [re.sub(r"\s+", "", t) for t in text.split("\f")]
    found = {}
    for page in PAGES:
        pattern = re.compile(re.sub(r"\\s\*|\s+", "", page.pattern), re.S)
        n = next((i for i, t in enumerate(pages, start=1) if pattern.search(t)), None)
        if n is None:
            raise AssertionError(f"no page of {pdf.name} matches {page.name} ({page.pattern})")
        found[page.name] = n
    return found


def render_page(pdf: Path, number: int, dest: Path) -> Path:
    """Page ``number`` of ``pdf`` as a greyscale PNG at ``DPI``."""
    stem = dest.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-gray", "-r", str(DPI), "-f", str(number), "-l", str(number), "-singlefile", str(pdf), str(stem)],
        check=True,
        capture_output=True,
    )
    return stem.with_suffix(".png")


def render_pages(pdf: Path, dest: Path) -> dict[str, Path]:
    dest.mkdir(parents=True, exist_ok=True)
    return {name: render_page(pdf, n, dest / f"{name}.png") for name, n in page_numbers(pdf).items()}


def compare(actual: Path, reference: Path, name: str) -> str | None:
    """None when the pages match; else a message naming the differences and the diff image written."""
    from PIL import Image, ImageChops, ImageFilter

    new = Image.open(actual).convert("L")
    ref = Image.open(reference).convert("L")
    if new.size != ref.size:
        return f"{name}: page size {new.size} differs from the reference {ref.size} ({reference})"
    blur = ImageFilter.BoxBlur(1)
    diff = ImageChops.difference(new.filter(blur), ref.filter(blur))
    mask = diff.point(lambda v: 255 if v > THRESHOLD else 0)
    count = mask.histogram()[255]
    if count <= MAX_FRACTION * new.width * new.height:
        return None
    DIFFS.mkdir(parents=True, exist_ok=True)
    out = DIFFS / f"{name}-diff.png"
    w, h = new.size
    sheet = Image.new("RGB", (w * 3, h), "white")
    sheet.paste(ref.convert("RGB"), (0, 0))
    sheet.paste(new.convert("RGB"), (w, 0))
    overlay = Image.composite(Image.new("RGB", (w, h), (220, 0, 0)), new.convert("RGB").point(lambda v: 128 + v // 2), mask)
    sheet.paste(overlay, (2 * w, 0))
    sheet.save(out)
    left, top, right, bottom = mask.getbbox() or (0, 0, 0, 0)
    mm = 25.4 / DPI
    return (
        f"{name}: {count} pixels differ from {reference.relative_to(REPO)} "
        f"(from {left * mm:.0f} mm, {top * mm:.0f} mm to {right * mm:.0f} mm, {bottom * mm:.0f} mm from the page's top left); "
        f"difference image: {out} (reference | new | differences in red). "
        "If the change is intended: make refresh-pages"
    )


def font_setup() -> dict[str, str]:
    """The stand-in fonts this machine draws the layout fonts with (what the references depend on)."""
    from reportsmith.report.pdf import font_substitutes, installed_fonts

    return {k: f"{v.family}{' Bold' if v.bold else ''}" for k, v in sorted(font_substitutes(installed_fonts() or set()).items())}


def demo_pdf(dest: Path) -> Path:
    """Build the demo report into ``dest`` and convert it with this process's converter."""
    from reportsmith.report.build import build

    result = build(DEMO, dest, pdf=True)
    if result.pdf is None:
        raise AssertionError(f"no PDF: {[f.message for f in result.findings if f.rule.startswith('build.')]}")
    return result.pdf


def _save_small(png: Path, dest: Path) -> None:
    """16 grey levels, 4 bits a pixel: a quarter of the size; the rounding (±8 levels) is far below ``THRESHOLD``."""
    from PIL import Image

    grey = Image.open(png).convert("L").point(lambda v: min(255, round(v / 17) * 17))
    grey.quantize(16, dither=Image.Dither.NONE).save(dest, optimize=True, bits=4)


def refresh() -> int:
    if shutil.which("soffice") is None or shutil.which("pdftoppm") is None:
        print("需要 LibreOffice（soffice）和 poppler-utils（pdftoppm）", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        pages = render_pages(demo_pdf(Path(tmp) / "out"), Path(tmp) / "png")
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name, png in pages.items():
            _save_small(png, GOLDEN / f"{name}.png")
            print(f"已更新：{(GOLDEN / f'{name}.png').relative_to(REPO)}")
    (GOLDEN / "fonts.json").write_text(json.dumps(font_setup(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["--refresh"]:
        print(__doc__)
        sys.exit(2)
    sys.exit(refresh())
