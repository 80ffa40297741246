"""reportsmith build: inputs folder in, Word report out — atomically, deterministically."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import docx
import pytest

from docx.oxml.ns import qn

from reportsmith.report.build import build, output_path
from reportsmith.cli import main
from reportsmith.core.errors import InputError, TemplateError

REPO = Path(__file__).resolve().parents[1]
REPORT = """\
cluster: whkjcyjq
year: 2024
date: 2025-01-15
sections:
  一、集群总体情况: |
    集群总体发展良好，A&B <合作> "引号"。

    第二段写了 {{ }} 和 {% raw %}，原样保留。
  集群发展成效: 成效显著。
"""


@pytest.fixture
def folder(tmp_path):
    f = tmp_path / "inputs" / "whkjcyjq"
    f.mkdir(parents=True)
    (f / "report.yaml").write_text(REPORT, encoding="utf-8")
    return f


def _texts(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def test_output_path_names_the_cluster():
    path = output_path(Path("out"), "whkjcyjq", 2024)
    assert path == Path("out/whkjcyjq/武汉东湖高新区地球空间信息及应用服务创新型产业集群2024年度总结报告.docx")


def test_build_writes_the_report_with_the_writers_text(folder, tmp_path):
    result = build(folder, tmp_path / "out")
    assert result.docx == output_path(tmp_path / "out", "whkjcyjq", 2024)
    texts = _texts(result.docx)
    assert texts[0] == "武汉东湖高新区地球空间信息及应用服务\n创新型产业集群2024年度总结报告"
    assert texts[1].endswith("2025年1月15日")
    i = texts.index("一、集群总体情况")
    assert texts[i + 1 : i + 3] == ['集群总体发展良好，A&B <合作> "引号"。', "第二段写了 {{ }} 和 {% raw %}，原样保留。"]
    assert texts[texts.index("三、集群发展成效") + 1] == "成效显著。"
    assert texts[texts.index("四、存在问题与下一步工作考虑") + 1].startswith("【待补充：")
    assert result.pdf is None and result.assembled.cluster.account == "whkjcyjq"


def test_the_built_report_keeps_the_page_and_the_page_numbers(folder, tmp_path):
    d = docx.Document(str(build(folder, tmp_path / "out").docx))
    s = d.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    footer = s.footer.paragraphs[0]
    assert "".join(t.text for t in footer._p.iter(qn("w:instrText"))).strip() == "PAGE"
    assert footer.text == "— 1 —"


def test_two_builds_are_byte_identical(folder, tmp_path):
    first = build(folder, tmp_path / "a").docx.read_bytes()
    second = build(folder, tmp_path / "b").docx.read_bytes()
    assert first == second


def test_a_failed_render_leaves_the_earlier_report_untouched(folder, tmp_path):
    good = build(folder, tmp_path / "out").docx
    before = good.read_bytes()
    # A custom template that fails half-way through rendering (index out of range at run time).
    tpl = docx.Document()
    tpl.add_paragraph("{{ title }}")
    tpl.add_paragraph("{{ sections[99].heading }}")
    tpl.save(str(tmp_path / "broken.docx"))
    with pytest.raises(TemplateError):
        build(folder, tmp_path / "out", template=tmp_path / "broken.docx")
    assert good.read_bytes() == before
    assert sorted(p.name for p in good.parent.iterdir()) == [good.name]


def test_a_template_without_the_report_body_is_refused_and_the_good_report_kept(folder, tmp_path, capsys):
    # A wrong file given as --template (here a plain Word document, as when the statistical
    # form's .docx is picked by mistake) would print none of the writers' text.
    good = build(folder, tmp_path / "out").docx
    before = good.read_bytes()
    tpl = docx.Document()
    tpl.add_paragraph("附件2")
    tpl.add_paragraph("{{ title }}")
    tpl.save(str(tmp_path / "统计报表.docx"))
    code = main(["build", str(folder), "-o", str(tmp_path / "out"), "--template", str(tmp_path / "统计报表.docx")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "统计报表.docx" in err and "sections" in err and "正文" in err
    assert good.read_bytes() == before
    assert sorted(p.name for p in good.parent.iterdir()) == [good.name]


def test_a_folder_without_report_yaml_cannot_be_built(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError):
        build(tmp_path / "empty", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_pdf_without_libreoffice_still_builds_the_docx(folder, tmp_path, monkeypatch):
    from reportsmith.report.pdf import shared_converter

    shared_converter().close()  # an office another test left running would still convert
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    result = build(folder, tmp_path / "out", pdf=True)
    assert result.docx.is_file() and result.pdf is None
    (finding,) = [f for f in result.findings if f.rule == "build.no_libreoffice"]
    assert "未找到 LibreOffice" in finding.message and finding.is_problem


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_converts_the_report_to_pdf(folder, tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("soffice (LibreOffice) is not installed")
    result = build(folder, tmp_path / "out", pdf=True)
    assert result.pdf == result.docx.with_suffix(".pdf")
    data = result.pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"/Type /Page" in data.replace(b"/Type/Page", b"/Type /Page")
    assert not [f for f in result.findings if f.rule.startswith("build.")]
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(result.pdf), "-"], capture_output=True, text=True).stdout
        numbers = [int(n) for n in re.findall(r"—\s*(\d+)\s*—", text)]
        assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 3  # the PAGE field numbers every page
        assert "一、集群总体情况" in text and "成效显著。" in text


def test_bundle_without_evidence_is_a_warning(folder, tmp_path):
    result = build(folder, tmp_path / "out", bundle=True)
    assert result.bundle == []
    assert any(f.rule == "build.no_evidence" for f in result.findings)


def test_bundle_copies_the_demo_evidence(tmp_path):
    demo = REPO / "inputs" / "whkjcyjq"
    if not (demo / "evidence.yaml").is_file() or not (demo / "report.yaml").is_file():
        pytest.skip("demo inputs not present")
    result = build(demo, tmp_path / "out", bundle=True)
    attached = [i for i in result.assembled.checklist.items if i.status == "已附"]
    assert len(result.bundle) == sum(len(i.files) for i in attached)
    assert all(p.parent == result.docx.parent / "佐证材料" and p.is_file() for p in result.bundle)


def test_cli_prints_the_path_and_exits_by_findings(folder, tmp_path, capsys):
    code = main(["build", str(folder), "-o", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    assert code == 0
    assert f"已生成：{output_path(tmp_path / 'out', 'whkjcyjq', 2024)}" in printed


def test_cli_exit_1_when_built_with_warnings(folder, tmp_path, capsys):
    # A vertical tab pasted from Word, written as a YAML escape (a raw one makes the YAML unreadable).
    (folder / "report.yaml").write_text(REPORT.replace("成效显著。", '"成效\\v显著。"'), encoding="utf-8")
    code = main(["build", str(folder), "-o", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    assert code == 1
    assert "已生成" in printed and "U+000B" in printed and "三、集群发展成效" in printed


def test_cli_custom_template_errors_exit_2_naming_the_paragraph(folder, tmp_path, capsys):
    tpl = docx.Document()
    tpl.add_paragraph("{{ title }}")
    tpl.add_paragraph("{%p for s in sections %}")
    tpl.add_paragraph("{{ s.heading }")
    tpl.save(str(tmp_path / "mine.docx"))
    code = main(["build", str(folder), "-o", str(tmp_path / "out"), "--template", str(tmp_path / "mine.docx")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "mine.docx" in err and "word/document.xml" in err and "第 3 段" in err and "模板语法错误" in err
    assert not (tmp_path / "out").exists()


def test_cli_output_blocked_by_a_file_exits_2_with_a_chinese_message(folder, tmp_path, capsys):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "whkjcyjq").write_text("not a folder")
    assert main(["build", str(folder), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "无法写入输出文件" in err and "是文件而不是文件夹" in err and "-o" in err


def _as_nobody() -> list[str] | None:
    """A command prefix that runs as an unprivileged user (root ignores read-only folders)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    probe = subprocess.run([*prefix, sys.executable, "-c", "import reportsmith"], capture_output=True, check=False)
    return prefix if probe.returncode == 0 else None


def test_cli_read_only_output_folder_exits_2_with_a_chinese_message():
    prefix = _as_nobody()
    if prefix is None:
        pytest.skip("cannot run as an unprivileged user here")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "只读"
        out.mkdir()
        os.chmod(tmp, 0o755)
        os.chmod(out, 0o555)
        proc = subprocess.run(
            [*prefix, sys.executable, "-m", "reportsmith", "build", str(REPO / "inputs" / "whkjcyjq"), "-o", str(out)],
            capture_output=True, text=True, check=False,
        )
        assert proc.returncode == 2, proc.stderr
        assert "无法写入输出文件：没有访问权限" in proc.stderr and "Traceback" not in proc.stderr
        assert list(out.iterdir()) == []


def test_cli_exit_2_when_nothing_can_be_built(tmp_path, capsys):
    assert main(["build", str(tmp_path / "missing"), "-o", str(tmp_path / "out")]) == 2
    assert "填报文件夹不存在" in capsys.readouterr().err
