"""佐证材料 files: where they may be, what they must be, that refused files are never read, the bundle."""

from __future__ import annotations

import hashlib
import os
import sys
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from reportsmith.evidence import checklist as evidence
from reportsmith.core.errors import InputError, Severity
from reportsmith.evidence.files import safe_name

from test_evidence import PDF, PNG, make_folder as _folder  # one way to lay out a cluster folder

# Every file this process opens while recording, seen through the interpreter's own audit
# events (builtin open, io.open and os.open all raise "open"): proves refused files are never read.
_OPENED: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if _OPENED is not None and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _OPENED.append(os.path.realpath(os.fsdecode(args[0])))


sys.addaudithook(_audit)


class _Recorder:
    """Call ``start()`` once the test's own files are written."""

    def start(self) -> None:
        global _OPENED
        _OPENED = []

    def under(self, root: Path) -> set[str]:
        """The opened files below ``root``, relative to it."""
        base = os.path.realpath(root)
        return {os.path.relpath(p, base) for p in _OPENED or [] if p.startswith(base + os.sep)}


@pytest.fixture
def opened():
    global _OPENED
    yield _Recorder()
    _OPENED = None


def _zip(*members: str) -> bytes:
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for m in members:
            zf.writestr(m, "<x/>")
    return buf.getvalue()


def _policies(*written: str) -> str:
    """evidence.yaml with one policy per path, each path written as given (YAML quoting included)."""
    return "政策:\n" + "".join(f"  - 名称: 《措施{n}》\n    文件: {w}\n" for n, w in enumerate(written, 1))


def _one(tmp_path, written: str, files: dict[str, bytes] | None = None, **kw):
    cl = evidence.build_checklist(_folder(tmp_path, _policies(written), files), None, **kw)
    return cl.items[0], cl.findings


# --- every kind of bad file: reported, and refused ones never read -----------------------------


def test_every_bad_file_is_reported_on_its_line_and_none_refused_is_read(tmp_path, opened):
    outside = tmp_path / "secret.pdf"
    outside.write_bytes(PDF)
    cases = [  # (written, status, words of the 状态 reason)
        ("evidence/none.pdf", "缺失", "文件不存在"),
        ("evidence/empty.pdf", "无效", "空文件"),
        ("evidence/big.pdf", "无效", "超过上限"),
        ("evidence/text.pdf", "无效", "扩展名为 .pdf，但内容不是 PDF"),
        ("../secret.pdf", "无效", "“..”"),
        ("evidence/../../secret.pdf", "无效", "“..”"),
        (str(outside), "无效", "绝对路径"),
        ("evidence/link.pdf", "无效", "符号链接"),
        ("linked/secret.pdf", "无效", "符号链接"),  # a linked folder leads out just the same
        ("evidence", "无效", "不是文件"),
    ]
    files = {"evidence/empty.pdf": b"", "evidence/big.pdf": PDF + b"%" * 200, "evidence/text.pdf": "这不是PDF，只是文字。\n".encode()}
    folder = _folder(tmp_path, _policies(*(w for w, _, _ in cases)), files)
    (folder / "evidence" / "link.pdf").symlink_to(outside)
    (folder / "linked").symlink_to(tmp_path)
    opened.start()
    cl = evidence.build_checklist(folder, None, max_bytes=100)
    assert [(i.status, i.files) for i in cl.items] == [(s, [w]) for w, s, _ in cases]
    for item, (written, _, words) in zip(cl.items, cases):
        assert words in item.reason, written
        (f,) = [f for f in cl.findings if f.key == item.name]
        assert f.line == 2 * item.seq and f"“{written}”" in f.message and f.hint
        assert f.severity == (Severity.WARNING if item.status == "缺失" else Severity.ERROR)
    assert cl.count_line == f"应附 {len(cases)} 项，已附 0 项，缺失 {len(cases)} 项"
    # Only the list itself and the one file whose content had to be looked at were opened.
    assert opened.under(tmp_path) == {"whkjcyjq/evidence.yaml", "whkjcyjq/evidence/text.pdf"}


def test_refused_paths_say_already_refused_and_how_to_fix(tmp_path):
    item, (f,) = _one(tmp_path, "../secret.pdf")
    assert item.reason == "路径含“..”，指向填报文件夹之外，已拒绝读取"
    assert "相对路径" in f.hint and "evidence/" in f.hint


def test_all_problems_of_a_multi_file_item_are_listed(tmp_path):
    text = "规划:\n  - 名称: 《规划》\n    文件: [evidence/a.pdf, evidence/none.pdf, evidence/empty.pdf]\n"
    cl = evidence.build_checklist(_folder(tmp_path, text, {"evidence/a.pdf": PDF, "evidence/empty.pdf": b""}), None)
    (item,) = cl.items
    assert item.status == "无效"  # the worst of its files
    assert item.reason == "evidence/none.pdf：文件不存在；evidence/empty.pdf：是空文件（0 字节）"
    assert sorted(f.rule for f in cl.findings) == ["evidence.invalid", "evidence.missing"]


def test_oversize_file_is_not_read(tmp_path, opened):
    folder = _folder(tmp_path, _policies("evidence/a.pdf"), {"evidence/a.pdf": PDF + b"x" * 100})
    opened.start()
    item = evidence.build_checklist(folder, None, max_bytes=64).items[0]
    assert item.status == "无效" and item.reason == f"文件大小 {len(PDF) + 100} 字节，超过上限 64 字节" and item.sha256 == [""]
    assert opened.under(tmp_path) == {"whkjcyjq/evidence.yaml"}


def test_default_size_limit_comes_from_the_rules_file(tmp_path):
    big = tmp_path / "whkjcyjq" / "evidence" / "big.pdf"
    folder = _folder(tmp_path, _policies("evidence/big.pdf"))
    with open(big, "wb") as fh:  # sparse: 50 MB + 1 byte without writing them
        fh.truncate(50 * 1024 * 1024 + 1)
    item = evidence.build_checklist(folder, None).items[0]
    assert item.status == "无效" and "超过上限 50.0 MB" in item.reason


def test_png_named_pdf_asks_for_the_right_extension(tmp_path):
    item, (f,) = _one(tmp_path, "evidence/a.pdf", {"evidence/a.pdf": PNG})
    assert (item.status, item.reason) == ("无效", "内容是 PNG，但扩展名为 .pdf") and f.hint == "请把扩展名改为 .png"


def test_truncated_pdf_is_invalid(tmp_path):
    item, _ = _one(tmp_path, "evidence/a.pdf", {"evidence/a.pdf": PDF[:40]})
    assert item.status == "无效" and "%%EOF" in item.reason


@pytest.mark.parametrize(
    ("name", "members", "ok"),
    [
        ("a.docx", ["[Content_Types].xml", "word/document.xml"], True),
        ("a.xlsx", ["xl/workbook.xml"], True),
        ("a.ofd", ["OFD.xml", "Doc_0/Document.xml"], True),
        ("a.docx", ["xl/workbook.xml"], False),
        ("a.ofd", ["readme.txt"], False),
    ],
)
def test_zip_based_types_recognised_by_their_members(tmp_path, name, members, ok):
    item, _ = _one(tmp_path, f"evidence/{name}", {f"evidence/{name}": _zip(*members)})
    assert (item.status == "已附") is ok


def test_jpeg_accepted_with_upper_case_extension(tmp_path):
    item, _ = _one(tmp_path, "evidence/a.JPG", {"evidence/a.JPG": b"\xff\xd8\xff\xe0" + b"\x00" * 20})
    assert item.status == "已附"


def test_symlink_inside_the_folder_is_fine(tmp_path):
    folder = _folder(tmp_path, _policies("evidence/link.pdf"), {"evidence/a.pdf": PDF})
    (folder / "evidence" / "link.pdf").symlink_to(folder / "evidence" / "a.pdf")
    item = evidence.build_checklist(folder, None).items[0]
    assert item.status == "已附" and item.sha256 == [hashlib.sha256(PDF).hexdigest()]


# --- Windows paths: a backslash is read as a separator ------------------------------------------


def test_backslash_is_a_separator_and_the_checklist_shows_slashes(tmp_path):
    folder = _folder(tmp_path, _policies("evidence\\孵化器.pdf", "'evidence\\子目录\\b.pdf'"), {"evidence/孵化器.pdf": PDF})
    (folder / "evidence" / "子目录").mkdir()
    (folder / "evidence" / "子目录" / "b.pdf").write_bytes(PDF)
    cl = evidence.build_checklist(folder, None)
    assert [(i.status, i.files) for i in cl.items] == [("已附", ["evidence/孵化器.pdf"]), ("已附", ["evidence/子目录/b.pdf"])]
    paths = evidence.write_bundle(cl, folder, tmp_path / "out" / "佐证材料")
    assert [p.name for p in paths] == ["01-措施1.pdf", "02-措施2.pdf"] and paths[0].read_bytes() == PDF


def test_backslash_paths_out_of_the_folder_are_refused_and_not_read(tmp_path, opened):
    (tmp_path / "secret.pdf").write_bytes(PDF)
    written = ["evidence\\..\\..\\secret.pdf", "C:\\Users\\a\\secret.pdf", "'\\\\server\\share\\secret.pdf'", "D:secret.pdf"]
    folder = _folder(tmp_path, _policies(*written))
    opened.start()
    cl = evidence.build_checklist(folder, None)
    assert [i.reason for i in cl.items] == ["路径含“..”，指向填报文件夹之外，已拒绝读取"] + ["使用了绝对路径，已拒绝读取"] * 3
    assert opened.under(tmp_path) == {"whkjcyjq/evidence.yaml"}


def test_backslash_in_double_quotes_is_explained(tmp_path):
    # YAML reads "evidence\new.pdf" in double quotes as evidence + line break + ew.pdf.
    item, (f,) = _one(tmp_path, '"evidence\\new.pdf"')
    assert item.reason == "路径中含换行、制表符等控制字符" and "双引号" in f.hint and "\n" not in f.message


# --- bundle -------------------------------------------------------------------------------------


def test_bundle_files_renamed_by_number_and_replaced_as_a_whole(tmp_path):
    text = (
        "机构:\n  - 名称: 光谷/创业:孵化器\n    类别: 省级及以上科技企业孵化器\n    级别: 省级\n    文件: evidence/a.pdf\n"
        "规划:\n  - 名称: 《甲规划》\n    文件: [evidence/a.pdf, evidence/b.png]\n政策:\n  - 名称: 《缺》\n    文件: evidence/none.pdf\n"
    )
    folder = _folder(tmp_path, text, {"evidence/a.pdf": PDF, "evidence/b.png": PNG})
    dest = tmp_path / "out" / "佐证材料"
    dest.mkdir(parents=True)
    (dest / "99-旧文件.pdf").write_bytes(b"old")
    paths = evidence.write_bundle(evidence.build_checklist(folder, None), folder, dest)
    assert [p.name for p in paths] == ["01-光谷_创业_孵化器.pdf", "02-甲规划-1.pdf", "02-甲规划-2.png"]
    assert sorted(p.name for p in dest.iterdir()) == sorted(p.name for p in paths)
    assert (dest / "02-甲规划-2.png").read_bytes() == PNG
    assert not [p for p in dest.parent.iterdir() if p.name.startswith(".")]


def test_bundle_replaces_a_file_standing_where_the_folder_goes(tmp_path):
    folder = _folder(tmp_path, _policies("evidence/a.pdf"), {"evidence/a.pdf": PDF})
    dest = tmp_path / "out" / "佐证材料"
    dest.parent.mkdir()
    dest.write_bytes(b"not a folder")
    evidence.write_bundle(evidence.build_checklist(folder, None), folder, dest)
    assert [p.name for p in dest.iterdir()] == ["01-措施1.pdf"]
    assert [p.name for p in dest.parent.iterdir()] == ["佐证材料"]


@pytest.mark.parametrize("change", ["modify", "delete"])
def test_bundle_refuses_a_file_changed_after_the_check_and_keeps_the_old_bundle(tmp_path, change):
    folder = _folder(tmp_path, _policies("evidence/a.pdf"), {"evidence/a.pdf": PDF})
    dest = tmp_path / "out" / "佐证材料"
    checklist = evidence.build_checklist(folder, None)
    evidence.write_bundle(checklist, folder, dest)
    if change == "modify":
        (folder / "evidence" / "a.pdf").write_bytes(PDF + b"\n% changed\n")
    else:
        (folder / "evidence" / "a.pdf").unlink()
    with pytest.raises(InputError, match="SHA-256" if change == "modify" else "在检查之后已不存在") as exc:
        evidence.write_bundle(checklist, folder, dest)
    assert exc.value.hint
    assert (dest / "01-措施1.pdf").read_bytes() == PDF
    assert not [p for p in dest.parent.iterdir() if p.name.startswith(".")]


def test_safe_name_removes_separators_and_reserved_characters():
    assert safe_name('《a/b\\c:d*e?f"g<h>i|j》') == "a_b_c_d_e_f_g_h_i_j"
    assert safe_name("  ..  ") == "材料"
    assert len(safe_name("长" * 200)) == 60
