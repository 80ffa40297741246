"""``reportsmith form validate|blank|docx``, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import openpyxl

from reportsmith.form import load as form

from reportsmith.form import xlsx as formxlsx
from reportsmith.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "inputs" / "whkjcyjq" / "form.yaml"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "form.yaml"
    path.write_text("cluster: whkjcyjq\nyear: 2024\n" + body, encoding="utf-8")
    return path


def test_valid_demo_form_exits_0(capsys):
    assert main(["form", "validate", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert "校验通过" in out and "错误 0 个，警告 0 个，未填 0 行" in out


def test_folder_with_form_yaml_is_accepted(capsys):
    assert main(["form", "validate", str(DEMO.parent), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"errors": [], "warnings": [], "infos": []}


def test_problems_exit_1_and_json_has_key_message_location(tmp_path, capsys):
    path = _write(tmp_path, "集群企业总数: 10\n高新技术企业: 20\n营收: 1\n创新服务机构数: 1\n生产力促进中心: 2\n")
    assert main(["form", "validate", str(path), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {e["rule"] for e in data["errors"]} == {"form.child_above_parent", "form.unknown_key"}
    assert [w["rule"] for w in data["warnings"]] == ["form.group_total_below_sum"]
    for item in data["errors"] + data["warnings"]:
        assert item["key"] and item["message"] and item["location"] == f"{path}:{item['line']} {item['key']}"
    assert len(data["infos"]) == 73
    assert all(i["key"] and i["message"] == f"“{i['key']}”未填" and i["location"] for i in data["infos"])


def test_text_output_names_file_row_and_fix(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "240")
    path = _write(tmp_path, "集群企业总数: -1\n")
    assert main(["form", "validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "集群企业总数" in out and "不能为负数" in out and "错误 1 个" in out and "未填（76 行" in out
    assert "计数应 ≥ 0" in out and f"{path}:3" in out


def _column_cells(table: str, column: int) -> list[str]:
    """The text of one column of a rich table, one entry per row (wrapped lines joined)."""
    cells: list[str] = []
    for line in table.splitlines():
        if not line.startswith("│"):
            continue
        parts = [p.strip() for p in line.strip("│").split("│")]
        if parts[0]:  # a new row starts where the 级别 column is filled
            cells.append("")
        cells[-1] += parts[column]
    return cells


def test_a_narrow_terminal_wraps_messages_instead_of_cutting_them(tmp_path, capsys, monkeypatch):
    # An 80-column terminal (the default console on Windows) must still show every word.
    monkeypatch.setenv("COLUMNS", "80")
    path = _write(tmp_path, "集群企业总数: 100\n高新技术企业: 120\n")
    assert main(["form", "validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "…" not in out
    assert "“高新技术企业”（120）大于其上级指标“集群企业总数”（100）" in _column_cells(out, 2)
    assert "“其中”项是“集群企业总数”的一部分，不能大于它；请核对这两行的数值" in _column_cells(out, 3)


def test_only_unfilled_rows_is_still_valid(tmp_path, capsys):
    assert main(["form", "validate", str(_write(tmp_path, "集群企业总数: 5\n"))]) == 0
    assert "未填 76 行" in capsys.readouterr().out


def test_unreadable_input_exits_2(tmp_path, capsys):
    assert main(["form", "validate", str(tmp_path / "missing.yaml")]) == 2
    assert "文件不存在" in capsys.readouterr().err
    broken = tmp_path / "broken.yaml"
    broken.write_text("集群企业总数: [\n", encoding="utf-8")
    assert main(["form", "validate", str(broken), "--json"]) == 2
    assert "YAML 格式错误" in capsys.readouterr().err


def test_folder_of_cluster_folders_prints_a_table(tmp_path, capsys):
    for account in ("whkjcyjq", "szxgcyjq"):
        (tmp_path / account).mkdir()
        (tmp_path / account / "form.yaml").write_bytes((ROOT / "inputs" / account / "form.yaml").read_bytes())
    assert main(["form", "validate", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 个文件" in out and out.count("通过") == 2
    (tmp_path / "szxgcyjq" / "form.yaml").write_text("cluster: szxgcyjq\n规上企业: x\n", encoding="utf-8")
    assert main(["form", "validate", str(tmp_path), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [Path(d["file"]).parent.name for d in data] == ["szxgcyjq", "whkjcyjq"]
    assert data[0]["errors"][0]["rule"] == "form.wrong_type"


def test_blank_writes_a_sheet_that_validates(tmp_path, capsys):
    out = tmp_path / "sub" / "blank.xlsx"
    assert main(["form", "blank", "ycswcyjq", "-o", str(out)]) == 0
    assert "已生成空白统计报表" in capsys.readouterr().out
    ws = openpyxl.load_workbook(out)[formxlsx.SHEET]
    assert ws["A2"].value == "集群名称：宜昌高新区生物医药省级创新型产业集群\n集群单位名称（依托单位）：宜昌高新区管委会"
    assert main(["form", "validate", str(out)]) == 0


def test_blank_for_unknown_account_exits_2(tmp_path, capsys):
    assert main(["form", "blank", "ycswcyj", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert "ycswcyjq" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def test_docx_from_a_demo_folder(tmp_path, capsys):
    out = tmp_path / "form.docx"
    assert main(["form", "docx", str(DEMO.parent), "-o", str(out)]) == 0
    assert "已生成 Word 统计报表" in capsys.readouterr().out
    document = docx.Document(str(out))
    assert document.paragraphs[1].text == "2024年度创新型产业集群统计报表"
    total = form.load_form(DEMO)[0].values["集群企业总数"]
    assert document.tables[0].rows[2].cells[0].text == "集群企业总数"
    assert document.tables[0].rows[2].cells[2].text == f"{total:,}"


def test_docx_refuses_a_form_with_errors(tmp_path, capsys):
    out = tmp_path / "form.docx"
    assert main(["form", "docx", str(_write(tmp_path, "集群企业总数: 1\n高新技术企业: 2\n")), "-o", str(out)]) == 1
    assert "未生成 Word 表" in capsys.readouterr().out
    assert not out.exists()


def test_output_paths_excel_or_word_could_not_open_exit_2(tmp_path, capsys):
    folder = tmp_path / "已有文件夹"
    folder.mkdir()
    assert main(["form", "blank", "whkjcyjq", "-o", str(folder)]) == 2
    assert "输出路径是一个文件夹" in capsys.readouterr().err
    assert main(["form", "blank", "whkjcyjq", "-o", str(tmp_path / "表.txt")]) == 2
    assert "输出文件应以 .xlsx 结尾" in capsys.readouterr().err
    assert main(["form", "docx", str(DEMO), "-o", str(tmp_path / "表.xlsx")]) == 2
    assert "输出文件应以 .docx 结尾" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["已有文件夹"]


def test_an_output_folder_blocked_by_a_file_exits_2(tmp_path, capsys):
    (tmp_path / "占位").write_text("", encoding="utf-8")
    assert main(["form", "docx", str(DEMO), "-o", str(tmp_path / "占位" / "表.docx")]) == 2
    err = capsys.readouterr().err
    assert "无法写入输出文件" in err and "是文件而不是文件夹" in err and "Traceback" not in err


def test_blank_accepts_an_account_typed_in_capitals_and_refuses_an_odd_year(tmp_path, capsys):
    assert main(["form", "blank", " WHKJCYJQ ", "-o", str(tmp_path / "a.xlsx")]) == 0
    assert openpyxl.load_workbook(tmp_path / "a.xlsx")[formxlsx.SHEET]["D1"].value == "whkjcyjq"
    capsys.readouterr()
    assert main(["form", "blank", "whkjcyjq", "--year", "99", "-o", str(tmp_path / "b.xlsx")]) == 2
    assert "--year" in capsys.readouterr().err and not (tmp_path / "b.xlsx").exists()
