"""``reportsmith evidence FOLDER [--json]``: what a user sees and the exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from reportsmith.cli import main

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
    assert "evidence.yaml:66" in out and "evidence/医用材料工程中心认定.pdf：文件不存在" in out


def test_json_output_matches_the_checklist(tmp_path, capsys):
    folder = _copy_demo(tmp_path, "ycswcyjq")
    assert main(["evidence", str(folder), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["counts"] == {"应附": 17, "已附": 16, "缺失": 1, "无效": 0}
    assert [i["序号"] for i in data["items"]] == list(range(1, 18))
    (gap,) = [i for i in data["items"] if i["状态"] != "已附"]
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


def test_usage_doc_exists_and_shows_the_command():
    doc = (ROOT / "docs" / "usage" / "evidence.md").read_text(encoding="utf-8")
    assert "reportsmith evidence inputs/" in doc and "--json" in doc and "--max-size-mb" in doc
