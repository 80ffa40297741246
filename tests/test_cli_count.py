"""``reportsmith count`` on text files, stdin and a real .docx."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reportsmith.cli import main
from reportsmith.zishu import count

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
    f.write_bytes("中文".encode("gbk"))
    assert main(["count", str(f)]) == 2
    assert "UTF-8" in capsys.readouterr().err


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
