"""reportsmith check: tables, JSON, exit codes 0/1/2, and agreement with the built .docx."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crafted_reports import report_yaml, write_folder
from reportsmith.outline import headings as outline
from reportsmith.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _json(capsys: pytest.CaptureFixture[str]) -> dict:
    return json.loads(capsys.readouterr().out)


def test_passing_report_exits_0_with_tables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_folder(tmp_path, report_yaml(total=3400))
    assert main(["check", str(folder)]) == 0
    out = capsys.readouterr().out
    for needle in ("字数（按标题）", "提纲覆盖（40/40 项）", "正文合计", "3400", "未发现问题", "结论：正文 3400 字"):
        assert needle in out
    assert "（二）集群创新能力建设情况" in out


def test_json_has_the_documented_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_folder(tmp_path, report_yaml(total=4300, drop=frozenset({"数字经济"}), empty=frozenset({"集群发展环境"})))
    assert main(["check", str(folder), "--json"]) == 1
    data = _json(capsys)
    assert data["cluster"] == "whkjcyjq"
    assert (data["zishu"], data["target"], data["band"]) == (4300, 3500, "fail")
    assert {"heading": "集群发展环境", "zishu": 9, "present": False}.items() <= next(
        s for s in data["sections"] if s["heading"] == "集群发展环境"
    ).items()
    missing = {(t["heading"], t["topic"]) for t in data["topics"] if not t["covered"]}
    assert ("集群发展成效", "数字经济") in missing
    # Every key the issue names, on every row; headings without their numbering.
    assert {"cluster", "zishu", "target", "band", "sections", "topics", "problems"} <= data.keys()
    assert all({"heading", "zishu", "present"} <= s.keys() for s in data["sections"])
    assert all({"heading", "topic", "covered"} <= t.keys() for t in data["topics"])
    assert all({"severity", "where", "message"} <= p.keys() for p in data["problems"])
    titles = [h.title for h in outline.headings()]
    assert [s["heading"] for s in data["sections"]] == titles
    assert {t["heading"] for t in data["topics"]} <= set(titles)
    # The per-heading budget beside the 字数, with its verdict, for a writer deciding where to cut.
    first = data["sections"][0]
    assert (first["budget"], first["balance"]) == (400, "over")
    rules = [p["rule"] for p in data["problems"]]
    assert "length.fail" in rules and "section.empty" in rules and "topic.missing" in rules


def test_report_yaml_path_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_folder(tmp_path, report_yaml(total=3000))
    assert main(["check", str(folder / "report.yaml"), "--json"]) == 1
    assert _json(capsys)["band"] == "warn"


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("cluster: whkjcyjq\nyear: 2024\nsections:\n  集群总体情况: |\n    正文\n   集群发展成效: x\n", 6, "YAML 格式错误"),
        ("cluster: whkjcyjq\nyear: 2024\nsections:\n  集群总体情况:\n    - 列表\n", 4, "应为文字"),
        ("cluster: whkjcyjq\nyear: 2024\nsections:\n  集群发展成就: 文字\n", 4, "是否想写“集群发展成效”"),
    ],
    ids=["syntax", "wrong-type", "unknown-heading"],
)
def test_bad_yaml_exits_2_with_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int, needle: str) -> None:
    folder = write_folder(tmp_path, text)
    assert main(["check", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"{folder / 'report.yaml'}:{line}" in err
    assert needle in err


def test_form_errors_are_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_folder(tmp_path, report_yaml(total=3500))
    (folder / "form.yaml").write_text("cluster: whkjcyjq\nyear: 2024\n集群企业总数: 10\n高新技术企业: 20\n", encoding="utf-8")
    assert main(["check", str(folder), "--json"]) == 1
    problems = [p for p in _json(capsys)["problems"] if p["severity"] == "error"]
    assert problems and all(p["file"].endswith("form.yaml") for p in problems)


def test_not_a_report_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path)]) == 2
    assert "既没有 report.yaml，也没有 .docx" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "nope")]) == 2


def test_inputs_check_agrees_with_the_built_docx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from reportsmith.report.build import build

    folder = ROOT / "inputs" / "whkjcyjq"
    docx_path = build(folder, tmp_path / "out").docx
    assert main(["check", str(folder), "--json"]) in (0, 1)
    inputs = _json(capsys)
    assert main(["check", str(docx_path), "--json"]) in (0, 1)
    built = _json(capsys)
    assert built["zishu"] == inputs["zishu"]
    assert [(s["heading"], s["zishu"]) for s in built["sections"]] == [(s["heading"], s["zishu"]) for s in inputs["sections"]]
    assert [(t["topic"], t["covered"]) for t in built["topics"]] == [(t["topic"], t["covered"]) for t in inputs["topics"]]

    # A folder of .docx files: one summary row per file, then the details; JSON is a list.
    (tmp_path / "broken.docx").write_bytes(b"not a zip")
    docx_path.rename(tmp_path / "report.docx")
    assert main(["check", str(tmp_path)]) == 2
    out = capsys.readouterr().out
    assert "汇总（2 个文件）" in out and "无法读取" in out and "字数（按标题）" in out
    assert main(["check", str(tmp_path), "--json"]) == 2
    rows = json.loads(capsys.readouterr().out)
    assert [Path(r["file"]).name for r in rows] == ["broken.docx", "report.docx"]
    assert "error" in rows[0] and rows[1]["zishu"] == inputs["zishu"]


def test_length_table_shows_where_to_cut(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_folder(tmp_path, report_yaml(total=4300))
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "一、集群总体情况" in line and "│" in line)
    assert "偏多" in row
    assert "可优先压缩：一、集群总体情况（+" in out


def test_a_yaml_file_not_named_report_yaml_is_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    draft = tmp_path / "初稿.yaml"
    draft.write_text(report_yaml(total=3500), encoding="utf-8")
    assert main(["check", str(draft)]) == 2
    err = capsys.readouterr().err
    assert "只能检查名为 report.yaml 的正文文件" in err and str(draft) in err


def test_an_old_doc_file_or_a_folder_of_them_is_refused_with_save_as_docx(tmp_path, capsys):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    (tmp_path / "报告.doc").write_bytes(ole)
    assert main(["check", str(tmp_path / "报告.doc")]) == 2
    assert "另存为" in capsys.readouterr().err
    folder = tmp_path / "报送"
    folder.mkdir()
    (folder / "甲.wps").write_bytes(ole)
    assert main(["check", str(folder)]) == 2
    out = capsys.readouterr().out
    assert "甲.wps" in out and "另存为" in out


def test_a_report_built_by_reportsmith_checks_clean_as_a_submitted_docx(tmp_path, capsys):
    # Reviewers check the .docx files that writers built with reportsmith: the line under
    # the title (依托单位 and date) is part of the title block, not stray text before the headings.
    from reportsmith.report.build import build

    folder = ROOT / "inputs" / "whkjcyjq"
    assert main(["check", str(folder)]) == 0
    capsys.readouterr()
    docx_path = build(folder, tmp_path / "out").docx
    assert main(["check", str(docx_path), "--json"]) == 0
    data = _json(capsys)
    assert not [p for p in data["problems"] if p["severity"] != "info"]
    title = next(lo for lo in data["left_out"] if lo["kind"] == "题目")
    assert "依托单位：武汉东湖高新区管委会" in title["text"]


def test_long_file_names_in_the_folder_summary_are_wrapped_not_cut(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    stem = "武汉东湖高新区地球空间信息及应用服务创新型产业集群2024年度总结报告"
    for tail in ("（报送稿）", "（第二稿）"):
        (tmp_path / f"{stem}{tail}.wps").write_bytes(ole)
    assert main(["check", str(tmp_path)]) == 2
    out = capsys.readouterr().out
    summary = out.split("汇总（2 个文件）", 1)[1].split("└", 1)[0]
    rows = [line.strip("│").split("│")[0].strip() for line in summary.splitlines() if line.startswith("│")]
    joined = "".join(rows)
    assert "…" not in summary
    assert f"{stem}（报送稿）.wps" in joined and f"{stem}（第二稿）.wps" in joined
