"""``reportsmith clusters``, run in-process."""

from __future__ import annotations

import json

from reportsmith.cli import main


def test_json_lists_all_48_with_the_agreed_keys(capsys):
    assert main(["clusters", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 48
    assert set(data[0]) == {"level", "seq", "name", "units", "account"}
    assert data[0] == {
        "level": "国家级",
        "seq": 1,
        "name": "武汉东湖高新区地球空间信息及应用服务创新型产业集群",
        "units": ["武汉东湖高新区管委会"],
        "account": "whkjcyjq",
    }
    assert data[16 + 11]["units"] == ["黄石市科技局", "西塞山区人民政府"]


def test_query_by_code_account_and_fragment(capsys):
    assert main(["clusters", "省级-12", "--json"]) == 0
    assert [c["account"] for c in json.loads(capsys.readouterr().out)] == ["hstgcyjq"]
    assert main(["clusters", "xyqccyjq", "--json"]) == 0
    assert [c["seq"] for c in json.loads(capsys.readouterr().out)] == [3]
    assert main(["clusters", "生物医药", "--json"]) == 0
    found = [c["account"] for c in json.loads(capsys.readouterr().out)]
    assert found == ["tmswcyjq", "ycswcyjq", "jzswcyjq", "hgswcyjq", "xnswyycyjq"]


def test_table_shows_the_matches(capsys):
    assert main(["clusters", "香菇"]) == 0
    out = capsys.readouterr().out
    assert "szxgcyjq" in out and "随州高新区管委会" in out and "（1 个）" in out


def test_no_match_says_so_and_exits_1(capsys):
    assert main(["clusters", "不存在的集群"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "没有与“不存在的集群”匹配的集群" in captured.err
    assert main(["clusters", "省级-33", "--json"]) == 1
    assert json.loads(capsys.readouterr().out) == []


def test_lint_reports_the_irregular_entries(capsys):
    assert main(["clusters", "--lint", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["errors"] == []
    assert sorted(w["rule"] for w in data["warnings"]) == ["clusters.account_suffix", "clusters.name_suffix"]
    assert all(w["key"] == "jsznqgcyjc" and w["location"] for w in data["warnings"])
    assert main(["clusters", "--lint"]) == 1
    assert "jsznqgcyjc" in capsys.readouterr().out
