"""A corpus of hostile and odd inputs, generated in code (nothing large is committed).

Each :class:`Case` makes its files under a fresh folder and names the command to run
on them, the exit code expected, and fragments the Chinese message must contain (the
file's name always among them). ``tests/test_hostile.py`` runs every case in its own
process and checks time and peak memory against a budget.

The cases come from the attack report of issue 13 (alias bombs, octal numbers, huge
runs, zip bombs, FIFOs, template bombs, impossible dates …) plus a few of our own.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

DEMO = Path(__file__).resolve().parents[1] / "inputs"
BASE = "whkjcyjq"  # a complete demo cluster: report.yaml, form.yaml, evidence.yaml and files

# Budget for one case, measured in its own process: loose for a loaded CI machine,
# far below the failures of the attack report (minutes, gigabytes).
SECONDS = 15.0
MEGABYTES = 400.0


@dataclass
class Case:
    name: str
    make: Callable[[Path], list[str]]  # builds files under the folder, returns the CLI arguments
    exit_code: int | tuple[int, ...]
    says: tuple[str, ...] = ()  # fragments the output (stdout + stderr) must contain
    seconds: float = SECONDS
    megabytes: float = MEGABYTES
    notes: str = ""
    extra: dict = field(default_factory=dict)


# -- building blocks -------------------------------------------------------------------


def cluster(root: Path, account: str = BASE) -> Path:
    """A copy of a complete demo cluster folder."""
    dest = root / "inputs" / account
    shutil.copytree(DEMO / account, dest)
    return dest


def set_form_value(folder: Path, key: str, raw: str) -> None:
    """Write ``key: raw`` into form.yaml exactly as typed (no quoting)."""
    p = folder / "form.yaml"
    text = p.read_text(encoding="utf-8")
    text, n = re.subn(rf"(?m)^{re.escape(key)}:.*$", lambda _m: f"{key}: {raw}", text, count=1)
    assert n == 1, key
    p.write_text(text, encoding="utf-8")


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def alias_bomb(levels: int = 9) -> str:
    """The "billion laughs" in YAML: ~400 bytes expanding to 10**levels strings."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def first_section_text(folder: Path, text: str) -> None:
    """Replace the text of section 一 of report.yaml with ``text`` (a literal block)."""
    p = folder / "report.yaml"
    lines = p.read_text(encoding="utf-8").split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("  一、集群总体情况:"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("  ") and not lines[i].startswith("    "))
    body = ["    " + l for l in text.split("\n")]
    lines[start : end] = ["  一、集群总体情况: |", *body, ""]
    p.write_text("\n".join(lines), encoding="utf-8")


def zip_bytes(members: dict[str, bytes], compresslevel: int = 9) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def zip_streamed(path: Path, member: str, chunk: bytes, repeat: int, others: dict[str, bytes] | None = None) -> None:
    """A zip with one member of ``len(chunk) * repeat`` bytes written in pieces (memory stays small)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in (others or {}).items():
            z.writestr(name, data)
        with z.open(member, "w", force_zip64=True) as fh:
            for _ in range(repeat):
                fh.write(chunk)


_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
).encode()
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
).encode()
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def huge_docx(path: Path, paragraphs_mb: int) -> None:
    """A small .docx whose body expands to ``paragraphs_mb`` MB of paragraphs."""
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}"><w:body>'.encode()
    para = ("<w:p><w:r><w:t>" + "集群" * 200 + "</w:t></w:r></w:p>").encode()
    repeat = paragraphs_mb * 1024 * 1024 // len(para)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(head)
            block = para * 256
            for _ in range(repeat // 256):
                fh.write(block)
            fh.write(b"</w:body></w:document>")


def write_blank_xlsx(path: Path, account: str = BASE) -> None:
    from reportsmith.cli import main

    assert main(["form", "blank", account, "-o", str(path)]) == 0


def xlsx_with(path: Path, values: dict[str, object], *, account: str = BASE) -> None:
    """A blank form from ``form blank`` with column C of the named rows set (strings stay text)."""
    from openpyxl import load_workbook

    write_blank_xlsx(path, account)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    rows = {ws.cell(r, 4).value: r for r in range(1, ws.max_row + 1)}
    for key, value in values.items():
        cell = ws.cell(rows[key], 3)
        cell.value = value
        if isinstance(value, str) and not value.startswith("="):
            cell.data_type = "s"
    wb.save(path)


# -- the cases ---------------------------------------------------------------------------

# Odd but valid numbers: what is typed, and the exact value it must be read as (None:
# refused with a message). Same table for form.yaml and for a text cell of the .xlsx.
ODD_NUMBERS: list[tuple[str, str, object]] = [
    ("集群企业总数", "0346", 346),
    ("集群企业总数", "017", 17),
    ("集群企业总数", "+346", 346),
    ("集群人员总数", "64,068", 64068),
    ("集群企业总数", "３４６", 346),
    ("营业收入", "07145010.5", "7145010.5"),
    ("营业收入", "7,145,010.0", "7145010.0"),
    ("营业收入", "１２３．５", "123.5"),
    ("集群企业总数", "1:30", None),
    ("集群企业总数", "0x15A", None),
    ("集群企业总数", "0o17", None),
    ("集群企业总数", "1_000", None),
    ("营业收入", "12.3万", None),
    ("集群企业总数", "34,6", None),
    ("营业收入", ".nan", None),
    ("营业收入", ".inf", None),
]


def _form_number(key: str, raw: str) -> Callable[[Path], list[str]]:
    def make(root: Path) -> list[str]:
        folder = cluster(root)
        set_form_value(folder, key, raw)
        return ["form", "validate", str(folder / "form.yaml")]

    return make


def _yaml_in(name: str, text: Callable[[Path], None], cmd: str = "check") -> Callable[[Path], list[str]]:
    def make(root: Path) -> list[str]:
        folder = cluster(root)
        text(folder)
        if cmd == "check":
            return ["check", str(folder)]
        if cmd == "build":
            return ["build", str(folder), "-o", str(root / "out")]
        if cmd == "form":
            return ["form", "validate", str(folder / "form.yaml")]
        return ["evidence", str(folder)]

    return make


def _append(name: str, extra: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        p = folder / name
        p.write_text(p.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")

    return edit


def _report_date(value: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        replace_in(folder / "report.yaml", "date: 2025-01-20", f"date: {value}")

    return edit


def _section(text: str) -> Callable[[Path], None]:
    return lambda folder: first_section_text(folder, text)


def _template_case(body: str) -> Callable[[Path], list[str]]:
    """A custom template: the built-in one with ``body`` appended as a paragraph of the body."""

    def make(root: Path) -> list[str]:
        folder = cluster(root)
        src = Path(__file__).resolve().parents[1] / "templates" / "outline.docx"
        with zipfile.ZipFile(src) as z:
            members = {i.filename: z.read(i.filename) for i in z.infolist()}
        doc = members["word/document.xml"].decode("utf-8")
        from xml.sax.saxutils import escape

        para = f"<w:p><w:r><w:t>{escape(body)}</w:t></w:r></w:p>"
        i = doc.rfind("<w:sectPr")
        doc = doc[:i] + para + doc[i:]
        members["word/document.xml"] = doc.encode("utf-8")
        tpl = root / "自定义模板.docx"
        tpl.write_bytes(zip_bytes(members, 6))
        return ["build", str(folder), "-o", str(root / "out"), "--template", str(tpl)]

    return make


def _evidence_file(written: str, make_file: Callable[[Path], None] | None) -> Callable[[Path], list[str]]:
    """Point the first evidence entry at ``written`` and make the file with ``make_file``."""

    def make(root: Path) -> list[str]:
        folder = cluster(root)
        replace_in(folder / "evidence.yaml", "文件: evidence/孵化器认定文件.pdf", f"文件: {written}")
        if make_file:
            make_file(folder)
        return ["evidence", str(folder)]

    return make


def _fake_pdf(folder: Path) -> None:
    (folder / "evidence" / "假.pdf").write_bytes(b"%PDF-1.7\nthis is only text, not a PDF\n%%EOF\n")


def _many_member_docx(folder: Path) -> None:
    members = {"[Content_Types].xml": _CT, "_rels/.rels": _RELS}
    members.update({f"junk/{i}.txt": b"x" for i in range(5000)})
    (folder / "evidence" / "多成员.docx").write_bytes(zip_bytes(members, 1))


def _zip_bomb_pdf(folder: Path) -> None:
    zip_streamed(folder / "evidence" / "炸弹.pdf", "a.bin", b"\0" * (1 << 20), 1024)


def _nfd_name(folder: Path) -> None:
    import unicodedata

    # "孵化器认定文件.pdf" has no decomposable character; use a name with one: 'é' and a Hangul syllable.
    src = folder / "evidence" / "孵化器认定文件.pdf"
    src.rename(folder / "evidence" / unicodedata.normalize("NFD", "认定文件é가.pdf"))


def _fifo_in_cluster(root: Path) -> list[str]:
    inputs = root / "inputs"
    folder = cluster(root)
    os.mkfifo(folder / "备注.txt")
    return ["batch", str(inputs), "-o", str(root / "out"), "--only", BASE, "-j", "1"]


def _fifo_form(root: Path) -> list[str]:
    folder = cluster(root)
    (folder / "form.yaml").unlink()
    os.mkfifo(folder / "form.yaml")
    return ["check", str(folder)]


def _fifo_evidence(root: Path) -> list[str]:
    folder = cluster(root)
    (folder / "evidence" / "孵化器认定文件.pdf").unlink()
    os.mkfifo(folder / "evidence" / "孵化器认定文件.pdf")
    return ["evidence", str(folder)]


def _dir_named_report(root: Path) -> list[str]:
    folder = cluster(root)
    (folder / "form.yaml").unlink()
    (folder / "form.yaml").mkdir()
    return ["check", str(folder)]


def _fifo_template(root: Path) -> list[str]:
    folder = cluster(root)
    os.mkfifo(root / "模板.docx")
    return ["build", str(folder), "-o", str(root / "out"), "--template", str(root / "模板.docx")]


def _fifo_stamp(root: Path) -> list[str]:
    inputs = root / "inputs"
    cluster(root)
    stamp = root / "out" / BASE / ".reportsmith-batch.json"
    stamp.parent.mkdir(parents=True)
    os.mkfifo(stamp)
    return ["batch", str(inputs), "-o", str(root / "out"), "--only", BASE, "-j", "2"]


def _huge_sheet(root: Path) -> list[str]:
    folder = cluster(root)
    (folder / "form.yaml").unlink()
    x = folder / "form.xlsx"
    write_blank_xlsx(x)
    with zipfile.ZipFile(x) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = next(n for n in members if n.startswith("xl/worksheets/sheet"))
    xml = members.pop(sheet).decode("utf-8")
    head, tail = xml.split("</sheetData>", 1)
    x.unlink()
    with zipfile.ZipFile(x, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for n, data in members.items():
            z.writestr(n, data)
        with z.open(sheet, "w", force_zip64=True) as fh:
            fh.write(head.encode())
            # ~300 MB of one repeated row block: tiny once compressed.
            big = ('<row r="2000">' + '<c t="n"><v>1</v></c>' * 20000 + "</row>").encode()
            for _ in range(700):
                fh.write(big)
            fh.write(b"</sheetData>" + tail.encode())
    return ["form", "validate", str(x)]


def _huge_submitted_docx(root: Path) -> list[str]:
    p = root / "报送稿.docx"
    huge_docx(p, 190)
    return ["check", str(p)]


def _xlsx_number(key: str, value: object) -> Callable[[Path], list[str]]:
    def make(root: Path) -> list[str]:
        x = root / "form.xlsx"
        xlsx_with(x, {key: value})
        return ["form", "validate", str(x)]

    return make


def cases() -> list[Case]:
    out: list[Case] = []
    # Numbers typed oddly in form.yaml: refused ones exit 1 naming the row.
    for i, (key, raw, value) in enumerate(ODD_NUMBERS):
        if value is None:
            out.append(Case(f"form_yaml_refuses_{i}_{raw}", _form_number(key, raw), 1, ("form.yaml", key, raw)))
    out += [
        Case("form_xlsx_formula_without_value", _xlsx_number("集群企业总数", "=SUM(C5:C7)"), 1, ("form.xlsx", "公式", "C")),
        Case("form_yaml_4301_digits", _form_number("集群企业总数", "9" * 4301), 2, ("form.yaml", "4301 位")),
        # Alias bombs in each YAML input.
        Case("alias_bomb_report", _yaml_in("report.yaml", _append("report.yaml", "炸弹:\n" + "\n".join("  " + l for l in alias_bomb().splitlines()))), 2, ("report.yaml", "别名引用")),
        Case("alias_bomb_form", _yaml_in("form.yaml", _append("form.yaml", alias_bomb()), cmd="form"), 2, ("form.yaml", "别名引用")),
        Case("alias_bomb_evidence", _yaml_in("evidence.yaml", _append("evidence.yaml", "炸弹:\n" + "\n".join("  " + l for l in alias_bomb().splitlines())), cmd="evidence"), 2, ("evidence.yaml", "别名引用")),
        Case("anchor_alone_report", _yaml_in("report.yaml", _append("report.yaml", "备注: &x 一\n备注2: *x\n")), 2, ("report.yaml", "别名引用")),
        # Size limits.
        Case("report_yaml_12mb", _yaml_in("report.yaml", _append("report.yaml", "# " + "注" * (4 * 1024 * 1024) + "\n")), 2, ("report.yaml", "过大")),
        Case("run_over_10mb_build", _yaml_in("report.yaml", _section("集" * (3_600_000)), cmd="build"), 2, ("report.yaml", "过大")),
        Case("run_of_4mb_build", _yaml_in("report.yaml", _section("集" * (1_300_000)), cmd="build"), 2, ("report.yaml", "一、集群总体情况", "过长")),
        Case("paragraph_too_long", _yaml_in("report.yaml", _section("集群" * 60_000), cmd="check"), 2, ("report.yaml", "一、集群总体情况", "字符")),
        Case("50000_figures", _yaml_in("report.yaml", _section("{{ 营业收入 }}" * 50_000)), 2, ("report.yaml", "一、集群总体情况", "过长")),
        Case("20000_figures", _yaml_in("report.yaml", _section("{{营业收入}}" * 20_000)), 2, ("report.yaml", "一、集群总体情况", "指标表达式")),
        Case("sentence_1000_figures", _yaml_in("report.yaml", _section("营业收入" + "，".join(f"{i}.5亿元" for i in range(1000)) + "。")), 1, ("report.yaml", "一、集群总体情况")),
        Case("sentence_3000_figures", _yaml_in("report.yaml", _section("营业收入" + "，".join(f"{i}.5亿元" for i in range(3000)) + "。")), 1, ("report.yaml", "一、集群总体情况")),
        Case("xlsx_sheet_expands_hugely", _huge_sheet, 2, ("form.xlsx",)),
        Case("submitted_docx_190mb_body", _huge_submitted_docx, 2, ("报送稿.docx",)),
        # Files that are not regular files.
        Case("fifo_in_cluster_batch", _fifo_in_cluster, (0, 1), ()),
        Case("fifo_as_form_yaml", _fifo_form, 2, ("form.yaml", "不是普通文件")),
        Case("fifo_as_evidence_file", _fifo_evidence, 1, ("孵化器认定文件.pdf", "不是普通文件")),
        Case("fifo_as_template", _fifo_template, 2, ("模板.docx", "不是普通文件")),
        Case("fifo_as_batch_stamp", _fifo_stamp, (0, 1), ()),
        Case("directory_named_form_yaml", _dir_named_report, 2, ("form.yaml",)),
        # Templates.
        Case("template_string_bomb", _template_case("{{ 'x' * 10**9 }}"), 2, ("自定义模板.docx", "正文")),
        Case("template_power_bomb_right", _template_case("{{ 10 ** (10 ** 8) }}"), 2, ("自定义模板.docx", "正文", "指数")),
        Case("template_power_bomb", _template_case("{{ ((10 ** 1000) ** 1000) ** 1000 }}"), 2, ("自定义模板.docx", "正文")),
        Case("template_division_by_zero", _template_case("{{ 1 / 0 }}"), 2, ("自定义模板.docx", "正文", "1 / 0")),
        Case("template_huge_range", _template_case("{% for i in range(10**12) %}x{% endfor %}"), 2, ("自定义模板.docx", "正文")),
        Case("template_recursion", _template_case("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}"), 2, ("自定义模板.docx", "正文")),
        # Tracebacks that must become messages.
        Case("date_feb_30", _yaml_in("report.yaml", _report_date("2025-02-30")), 2, ("report.yaml", "日期", "2025-02-30")),
        Case("date_month_13", _yaml_in("report.yaml", _report_date("2025-13-01")), 2, ("report.yaml", "日期", "2025-13-01")),
        Case("yaml_python_tag", _yaml_in("form.yaml", _append("form.yaml", "备注: !!python/object:os.system ls\n"), cmd="form"), 2, ("form.yaml", "标记")),
        Case("yaml_unhashable_key", _yaml_in("form.yaml", _append("form.yaml", "? [a, b]\n: 1\n"), cmd="form"), 2, ("form.yaml", "键")),
        Case("form_feed_in_text", _yaml_in("report.yaml", _section("第一段\x0c分页后的文字。"), cmd="build"), 1, ("report.yaml", "控制字符")),
        Case("evidence_name_over_255_bytes", _evidence_file("evidence/" + "长" * 100 + ".pdf", None), 1, ("evidence.yaml", "文件名太长")),
        # Evidence decided by structure.
        Case("evidence_text_posing_as_pdf", _evidence_file("evidence/假.pdf", _fake_pdf), 1, ("假.pdf", "PDF")),
        Case("evidence_5000_member_docx", _evidence_file("evidence/多成员.docx", _many_member_docx), 1, ("多成员.docx",)),
        Case("evidence_zip_bomb_pdf", _evidence_file("evidence/炸弹.pdf", _zip_bomb_pdf), 1, ("炸弹.pdf", "PDF")),
    ]
    for i, (key, value) in enumerate([("集群企业总数", "1:30"), ("营业收入", "12.3万"), ("集群企业总数", "0x15A")]):
        out.append(Case(f"form_xlsx_refuses_{i}", _xlsx_number(key, value), 1, ("form.xlsx", key)))
    return out
