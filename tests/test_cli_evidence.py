"""``reportsmith evidence FOLDER [--json]``: what a user sees and the exit codes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from reportsmith.cli import main
from reportsmith.form.data import FormData

ROOT = Path(__file__).resolve().parents[1]
PDF = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n%%EOF\n"


def _copy_demo(tmp_path: Path, account: str) -> Path:
    dest = tmp_path / account
    shutil.copytree(ROOT / "inputs" / account, dest)
    return dest


def test_complete_demo_prints_grouped_table_and_count_line_exit_0(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # wide enough that no name is folded across lines
    folder = _copy_demo(tmp_path, "whkjcyjq")
    assert main(["evidence", str(folder)]) == 0
    out = capsys.readouterr().out
    for word in ("创新服务机构", "研发机构", "地方规划", "专项政策", "光谷地球空间信息科技企业孵化器", "已附"):
        assert word in out
    assert "应附 12 项，已附 12 项，缺失 0 项" in out and "未发现问题。" in out


def test_demo_with_a_gap_exits_1_and_names_the_missing_file(tmp_path, capsys):
    folder = _copy_demo(tmp_path, "ycswcyjq")
    assert main(["evidence", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "缺失 1 项" in out
    assert "evidence.yaml:67" in out and "“evidence/医用材料工程中心认定.pdf”缺失：文件不存在" in out


def test_json_output_matches_the_checklist(tmp_path, capsys):
    folder = _copy_demo(tmp_path, "ycswcyjq")
    assert main(["evidence", str(folder), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["counts"] == {"应附": 17, "已附": 16, "缺失": 1, "无效": 0, "不要求佐证": 2}
    assert [i["序号"] for i in data["items"]] == list(range(1, 20))  # the two 市级 institutions too
    (gap,) = [i for i in data["items"] if i["状态"] not in ("已附", "不要求佐证")]
    assert gap["名称"] == "湖北省医用材料工程技术研究中心" and gap["大小"] == [0]
    assert [p["rule"] for p in data["problems"]] == ["evidence.missing"]


def test_count_mismatch_and_small_size_limit_exit_1(tmp_path, capsys):
    folder = tmp_path / "szxgcyjq"
    (folder / "evidence").mkdir(parents=True)
    (folder / "evidence" / "a.pdf").write_bytes(PDF + b"%" * 2000)
    (folder / "form.yaml").write_text("cluster: szxgcyjq\nyear: 2024\n院士工作站: 2\n研发机构: 2\n", encoding="utf-8")
    (folder / "evidence.yaml").write_text(
        "机构:\n  - 名称: 某院士工作站\n    类别: 院士工作站\n    级别: 省级\n    文件: evidence/a.pdf\n", encoding="utf-8"
    )
    assert main(["evidence", str(folder), "--max-size-mb", "0.001"]) == 1
    out = capsys.readouterr().out
    assert "统计报表“院士工作站”填报 2 个，名单中列出 1 个：某院士工作站" in out
    assert "超过上限" in out and "应附 1 项，已附 0 项，缺失 1 项" in out


def test_unreadable_inputs_exit_2(tmp_path, capsys):
    assert main(["evidence", str(tmp_path / "nowhere")]) == 2
    assert "填报文件夹不存在" in capsys.readouterr().err
    assert main(["evidence", str(tmp_path)]) == 2
    assert "evidence.yaml：文件不存在" in capsys.readouterr().err
    (tmp_path / "evidence.yaml").write_text("机构: [\n", encoding="utf-8")
    assert main(["evidence", str(tmp_path)]) == 2
    assert "YAML 格式错误" in capsys.readouterr().err


def _problems(capsys, *argv: str) -> tuple[int, list[dict]]:
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)["problems"]


def _evidence_only(problems: list[dict]) -> list[tuple]:
    return [(p["rule"], p["line"], p["message"], p["hint"]) for p in problems if p["rule"].startswith("evidence.")]


def test_check_reports_the_same_evidence_items_as_evidence(tmp_path, capsys):
    folder = _copy_demo(tmp_path, "ycswcyjq")
    (folder / "evidence" / "生物医药若干政策.pdf").write_text("文字", encoding="utf-8")  # now 无效
    report = folder / "report.yaml"
    # The 集群发展环境 text no longer names its documents: the naming rule fires in both commands.
    report.write_text(re.sub(r"[《》]", "", report.read_text(encoding="utf-8")), encoding="utf-8")
    code_e, from_evidence = _problems(capsys, "evidence", str(folder))
    code_c, from_check = _problems(capsys, "check", str(folder))
    assert code_e == code_c == 1
    assert _evidence_only(from_check) == _evidence_only(from_evidence)
    assert {p["rule"] for p in from_evidence} == {"evidence.missing", "evidence.invalid", "evidence.report_names_document"}


def test_build_bundle_writes_the_files_renamed_by_checklist_number(tmp_path, capsys):
    out_dir = tmp_path / "out"
    assert main(["build", str(ROOT / "inputs" / "ycswcyjq"), "-o", str(out_dir), "--bundle"]) == 1  # one file is missing
    bundle = out_dir / "ycswcyjq" / "佐证材料"
    names = sorted(p.name for p in bundle.iterdir())
    assert len(names) == 16 and f"已复制佐证材料 16 个文件到：{bundle}" in capsys.readouterr().out
    # Numbered as in the checklist: 07 and 15 are 市级 institutions without a file, 14 is missing.
    assert names[0] == "01-宜昌高新区生物产业科技企业孵化器.pdf"
    assert not [n for n in names if n.startswith(("07-", "14-", "15-"))]
    assert "19-宜昌市“招才兴业”人才引进实施意见.docx" in names
    source = ROOT / "inputs" / "ycswcyjq" / "evidence" / "生物产业孵化器认定.pdf"
    assert (bundle / names[0]).read_bytes() == source.read_bytes()


def test_reconciles_with_a_filled_excel_form_as_check_does(tmp_path, capsys):
    from reportsmith.form.xlsx import write_xlsx

    folder = tmp_path / "szxgcyjq"
    (folder / "evidence").mkdir(parents=True)
    (folder / "evidence" / "a.pdf").write_bytes(PDF)
    write_xlsx(folder / "form.xlsx", "szxgcyjq", FormData({"院士工作站": 2, "研发机构": 2}, cluster="szxgcyjq"))
    (folder / "evidence.yaml").write_text(
        "机构:\n  - 名称: 某院士工作站\n    类别: 院士工作站\n    级别: 省级\n    文件: evidence/a.pdf\n", encoding="utf-8"
    )
    code, problems = _problems(capsys, "evidence", str(folder))
    assert code == 1
    assert {(p["key"], p["measured"], p["limit"]) for p in problems if p["rule"] == "evidence.count_mismatch"} == {
        ("院士工作站", 1, 2), ("研发机构", 1, 2)
    }


def test_unreadable_report_skips_the_naming_rule_and_keeps_json_clean(tmp_path, capsys):
    folder = _copy_demo(tmp_path, "whkjcyjq")
    (folder / "report.yaml").write_text("cluster: [\n", encoding="utf-8")
    assert main(["evidence", str(folder), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["count_line"] == "应附 12 项，已附 12 项，缺失 0 项；另列市级及其他机构 4 项（不要求佐证）"
    assert "report.yaml 无法读取，未检查正文是否点名规划和政策文件" in captured.err


def test_usage_doc_exists_and_shows_the_command():
    doc = (ROOT / "docs" / "usage" / "evidence.md").read_text(encoding="utf-8")
    assert "reportsmith evidence inputs/" in doc and "--json" in doc and "--max-size-mb" in doc
