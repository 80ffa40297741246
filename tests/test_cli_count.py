"""``reportsmith count`` on text files, stdin and a real .docx."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reportsmith.cli import main
from reportsmith.checks.zishu import count

VECTORS = Path(__file__).parent / "fixtures" / "zishu_vectors.tsv"


def _vector_texts() -> list[tuple[str, int]]:
    rows = []
    for line in VECTORS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            text, n, _ = line.split("\t")
            rows.append((text, int(n)))
    return rows


def test_count_txt_file_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "a.txt"
    f.write_text("营业收入达到1234.56亿元，同比增长12.3%。\n按照 WHO 的要求，2025 年底前完成。\n", encoding="utf-8")
    assert main(["count", str(f), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {"zishu": 30, "hanzi": 22, "chars_no_spaces": 45, "chars_with_spaces": 48}


def test_count_txt_with_bom_prints_chinese_labels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "a.txt"
    f.write_bytes("\ufeff中文　测试".encode("utf-8"))
    assert main(["count", str(f)]) == 0
    outp = capsys.readouterr().out
    assert "字数：4" in outp
    assert "字符数（计空格）：5" in outp


def test_count_stdin() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "reportsmith", "count", "-", "--json"],
        input="使用 Adobe Photoshop 打开图片".encode("utf-8"),
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout)["zishu"] == 8


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["count", str(tmp_path / "nope.txt")]) == 2
    err = capsys.readouterr().err
    assert "nope.txt" in err and "文件不存在" in err


def test_non_utf8_text_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "gbk.txt"
    f.write_bytes("ab中文".encode("gbk"))
    assert main(["count", str(f)]) == 2
    err = capsys.readouterr().err
    assert "UTF-8" in err and "第 3 个字节" in err and "GBK" in err


def test_utf16_text_with_bom_is_counted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Windows Notepad's "Unicode" is UTF-16 LE with a BOM.
    f = tmp_path / "notepad.txt"
    f.write_bytes("使用 Adobe Photoshop 打开图片".encode("utf-16"))
    assert main(["count", str(f), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["zishu"] == 8


def test_old_doc_format_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "old.doc"
    f.write_bytes(b"\xd0\xcf\x11\xe0")
    assert main(["count", str(f)]) == 2
    assert "另存为 .docx" in capsys.readouterr().err


def test_count_docx_made_with_python_docx_equals_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every spec vector as a paragraph or a table cell; header text must not count."""
    import docx

    vectors = _vector_texts()
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "页眉文字不计入字数 Header"
    half = len(vectors) // 2
    for text, _ in vectors[:half]:
        document.add_paragraph(text)
    table = document.add_table(rows=len(vectors) - half, cols=1)
    for row, (text, _) in zip(table.rows, vectors[half:]):
        row.cells[0].text = text
    path = tmp_path / "vectors.docx"
    document.save(path)

    assert main(["count", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["zishu"] == sum(n for _, n in vectors)
    assert data["hanzi"] == sum(count(t).hanzi for t, _ in vectors)


# Where the spec says LibreOffice's word count differs from Word's (dashes, ellipses, enclosed
# numbers, ambiguous quotes); every other vector is an independent check against LibreOffice.
_LIBREOFFICE_DIFFERS = ("——", "……", "①", "“AI”", "1—6月")


@pytest.mark.slow
@pytest.mark.libreoffice
def test_count_docx_agrees_with_libreoffice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import docx

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    texts = [t for t, _ in _vector_texts() if not any(d in t for d in _LIBREOFFICE_DIFFERS)]
    document = docx.Document()
    for text in texts:
        document.add_paragraph(text)
    path = tmp_path / "vectors.docx"
    document.save(path)
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "odt", "--outdir", str(tmp_path / "odt"), str(path)],
        capture_output=True, check=True, timeout=120,
    )
    meta = zipfile.ZipFile(tmp_path / "odt" / "vectors.odt").read("meta.xml").decode("utf-8")
    (libreoffice,) = re.findall(r'meta:word-count="(\d+)"', meta)

    assert main(["count", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["zishu"] == int(libreoffice)
    assert len(texts) >= 20
