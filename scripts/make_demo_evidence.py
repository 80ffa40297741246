"""Generate the small placeholder evidence files (佐证材料) of the three demo clusters.

Reads ``inputs/<account>/evidence.yaml`` of each demo cluster and writes every file it
names — a tiny valid PDF, PNG or DOCX whose text says 示例材料 — except the one file
left out on purpose so that the demo shows what a gap (缺失) looks like.
Output is deterministic: running it twice gives the same bytes.

    .venv/bin/python scripts/make_demo_evidence.py
"""

from __future__ import annotations

import struct
import sys
import zipfile
import zlib
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from reportsmith.core.atomic import write_bytes  # noqa: E402

DEMOS = ("whkjcyjq", "ycswcyjq", "szxgcyjq")
# Left out on purpose: the demo's checklist shows this item as 缺失.
DELIBERATELY_MISSING = {("ycswcyjq", "evidence/医用材料工程中心认定.pdf")}
NOTICE = "示例材料：仅供演示，非真实文件"


def _pdf_text(s: str) -> str:
    """A PDF hex string in UCS-2 big-endian, for the UniGB-UCS2-H encoding."""
    return "<" + s.encode("utf-16-be").hex().upper() + ">"


def make_pdf(title: str) -> bytes:
    """A one-page PDF using the standard Chinese font STSong-Light (not embedded)."""
    lines = [NOTICE, title, "Demo placeholder - not a real document"]
    ops = ["BT", "/F1 16 Tf", "72 760 Td", "22 TL"]
    for i, line in enumerate(lines):
        font = "/F2 10 Tf " if i == 2 else ""
        ops.append(f"{font}{_pdf_text(line) if i < 2 else '(' + line + ')'} Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R /F2 8 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def make_png(title: str) -> bytes:
    """A 96×32 grey PNG with a striped band; its text chunk says 示例材料 and the title."""
    width, height = 96, 32
    rows = b"".join(b"\x00" + bytes(200 if (y // 4) % 2 else 235 for _ in range(width)) for y in range(height))
    text = b"Description\x00\x00\x00\x00\x00" + f"{NOTICE}：{title}".encode()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + _chunk(b"iTXt", text)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


_DOCX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    ),
}


def make_docx(title: str) -> bytes:
    """A minimal Word document with two paragraphs; zip entries carry a fixed date."""
    paras = "".join(f"<w:p><w:r><w:t>{escape(t)}</w:t></w:r></w:p>" for t in (NOTICE, title))
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{paras}</w:body></w:document>"
    )
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xml in [*_DOCX_PARTS.items(), ("word/document.xml", document)]:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), xml.encode("utf-8"), zipfile.ZIP_DEFLATED)
    return out.getvalue()


MAKERS = {".pdf": make_pdf, ".png": make_png, ".docx": make_docx}


def main() -> int:
    for account in DEMOS:
        folder = ROOT / "inputs" / account
        data = yaml.safe_load((folder / "evidence.yaml").read_text(encoding="utf-8"))
        for section in ("机构", "规划", "政策"):
            for entry in data.get(section) or []:
                files = entry.get("文件") or []
                for written in [files] if isinstance(files, str) else files:
                    if (account, written) in DELIBERATELY_MISSING:
                        print(f"{account}: 故意不生成 {written}（演示“缺失”）")
                        continue
                    maker = MAKERS[Path(written).suffix.lower()]
                    write_bytes(folder / written, maker(entry["名称"]))
                    print(f"{account}: {written}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
