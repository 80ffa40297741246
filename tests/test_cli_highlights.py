"""``reportsmith highlights``: table of derived figures, sentences per heading, JSON, exit codes."""

import json

from reportsmith.cli import main

FORM_YAML = """\
# 示例数据（测试用）
cluster: whkjcyjq
year: 2024
集群企业总数: 400
高新技术企业: 100
集群人员总数: 20000
营业收入: 500000
研究开发费用支出合计: 15000
previous:
  集群企业总数: 380
  营业收入: 450000
  研究开发费用支出合计: 12000
"""


def make_folder(tmp_path, text=FORM_YAML):
    folder = tmp_path / "whkjcyjq"
    folder.mkdir()
    (folder / "form.yaml").write_text(text, encoding="utf-8")
    return folder


def test_prints_derived_figures_and_sentences(tmp_path, capsys):
    rc = main(["highlights", str(make_folder(tmp_path))])
    out = capsys.readouterr().out
    assert rc == 0
    assert "研发投入强度" in out and "3.0%" in out and "提高0.3个百分点" in out
    assert "25.0%" in out  # 高新技术企业占比
    assert "不可计算" in out and "“净利润”未填" in out
    assert "一、集群总体情况" in out
    assert "2024年，集群共有企业400家，新增20家。" in out
    assert "全年实现营业收入50.00亿元，同比增长11.1%。" in out
    assert "（三）集群创新服务建设体系" in out


def test_json_output(tmp_path, capsys):
    rc = main(["highlights", str(make_folder(tmp_path)), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert data["cluster"] == "whkjcyjq" and data["year"] == 2024
    rd = next(i for i in data["indicators"] if i["name"] == "研发投入强度")
    assert (rd["display"], rd["change"], rd["reason"]) == ("3.0%", "提高0.3个百分点", None)
    margin = next(i for i in data["indicators"] if i["name"] == "营业收入利润率")
    assert margin["display"] == "不可计算" and margin["value"] is None
    assert data["sentences"]["集群发展成效"][0] == "集群拥有高新技术企业100家，占集群企业总数的25.0%。"
    assert all(p["severity"] == "info" for p in data["problems"])


def test_a_form_file_can_be_given_directly(tmp_path, capsys):
    folder = make_folder(tmp_path)
    assert main(["highlights", str(folder / "form.yaml"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["indicators"]


def test_missing_form_is_exit_2_with_a_chinese_message(tmp_path, capsys):
    rc = main(["highlights", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2
    assert "form.yaml" in err and "form.xlsx" in err and "reportsmith init" in err


def test_wrong_value_in_the_form_is_exit_1(tmp_path, capsys):
    folder = make_folder(tmp_path, FORM_YAML.replace("高新技术企业: 100", "高新技术企业: 很多"))
    rc = main(["highlights", str(folder)])
    out = capsys.readouterr().out
    assert rc == 1
    assert "高新技术企业" in out


def test_a_folder_with_only_a_filled_excel_form(tmp_path, capsys):
    from reportsmith.form.load import load_form
    from reportsmith.form.xlsx import write_xlsx

    data, _ = load_form(make_folder(tmp_path) / "form.yaml")
    folder = tmp_path / "excel"
    folder.mkdir()
    write_xlsx(folder / "form.xlsx", "whkjcyjq", data)
    capsys.readouterr()
    assert main(["highlights", str(folder), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["source"].endswith("form.xlsx")
    # The Excel form carries last year's values (上年数量), so the 同比/新增 parts are there too.
    assert got["sentences"]["集群总体情况"][0] == "2024年，集群共有企业400家，新增20家。"


def test_a_form_with_zero_listed_firms_prints_no_zero_boast(tmp_path, capsys):
    folder = make_folder(tmp_path, FORM_YAML + "上市企业: 0\n营业收入超过10亿元企业: 0\n")
    assert main(["highlights", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "上市企业" not in out and "超过10亿元" not in out
