"""report.yaml: parsing, and every kind of bad input reported with file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reportsmith.core.errors import InputError
from reportsmith.outline.report_input import load_report, split_paragraphs

ROOT = Path(__file__).resolve().parents[1]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
# yaml-language-server: $schema=../../schemas/report.schema.json
cluster: whkjcyjq
year: 2024
date: 2025-01-05
no_highlights: [三、集群发展成效]
sections:
  集群创新能力建设情况:
    研发投入: |
      研发投入持续增加。
    其他: |
      引言文字。
    创新人才:
  一、集群总体情况: |
    第一段第一行
    第一段第二行

    　　第二段（全角空格缩进）
  (四)集群发展环境:
"""


def test_good_file(tmp_path: Path) -> None:
    r = load_report(_write(tmp_path, GOOD))
    assert (r.cluster, r.year, r.date) == ("whkjcyjq", 2024, dt.date(2025, 1, 5))
    assert r.no_highlights == frozenset({"集群发展成效"})
    # Keyed by bare title, in outline order whatever the file order.
    assert list(r.sections) == ["集群总体情况", "集群创新能力建设情况", "集群发展环境"]
    first = r.sections["集群总体情况"]
    assert first.line == 13
    assert split_paragraphs(first.blocks[0].text) == ["第一段第一行\n第一段第二行", "第二段（全角空格缩进）"]
    innov = r.sections["集群创新能力建设情况"]
    assert [(b.topic, b.text) for b in innov.blocks] == [("研发投入", "研发投入持续增加。\n"), (None, "引言文字。\n")]
    assert innov.keyed_topics == frozenset({"研发投入"})  # an empty topic key is not coverage
    assert r.sections["集群发展环境"].blocks == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("一段", ["一段"]),
        ("a\n\n\n\nb\n", ["a", "b"]),
        ("a\r\n\r\nb", ["a", "b"]),
        ("  a  \n  b\n \t\n c", ["a\nb", "c"]),
        ("x\n\u3000\ny", ["x", "y"]),  # a line of a full-width space is blank
        ("{{ 营业收入 }} & <b> “引号”", ["{{ 营业收入 }} & <b> “引号”"]),
    ],
)
def test_split_paragraphs(text: str, expected: list[str]) -> None:
    assert split_paragraphs(text) == expected


def test_yaml_syntax_error_has_file_and_line(tmp_path: Path) -> None:
    # Line 6 is indented by three spaces instead of two.
    path = _write(tmp_path, "cluster: whkjcyjq\nyear: 2024\nsections:\n  集群总体情况: |\n    正文\n   集群发展成效: 文字\n")
    with pytest.raises(InputError) as info:
        load_report(path)
    assert info.value.file == str(path)
    assert info.value.line == 6
    assert "YAML 格式错误" in info.value.message


def test_wrong_type_has_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "cluster: whkjcyjq\nyear: 二〇二四\nsections:\n  集群总体情况: [1, 2]\n")
    with pytest.raises(InputError) as info:
        load_report(path)
    err = info.value
    assert err.line == 2
    assert len(err.details) == 2
    assert err.details[0] == "第 2 行 year：“year”应为整数年份（例如 year: 2024）"
    assert err.details[1].startswith("第 4 行 sections.集群总体情况：标题“集群总体情况”下的内容应为文字")


def test_unknown_heading_exact_message(tmp_path: Path) -> None:
    path = _write(tmp_path, "cluster: whkjcyjq\nyear: 2024\nsections:\n  三、集群发展成就: 文字\n")
    with pytest.raises(InputError) as info:
        load_report(path)
    assert info.value.text() == (
        f"{path}:4 sections.三、集群发展成就：未知的标题“三、集群发展成就”"
        "（是否想写“集群发展成效”？标题须与附件3一致）"
    )


def test_unknown_topic_and_account_and_key_all_reported(tmp_path: Path) -> None:
    text = (
        "cluster: whkjcyj\nyear: 2024\nsectons: {}\nsections:\n"
        "  集群创新能力建设情况:\n    研发投人: 文字\n"
        "  二、集群发展情况:\n    集群发展环境: 文字\n"
        "no_highlights: [集群发展成校]\n"
    )
    with pytest.raises(InputError) as info:
        load_report(_write(tmp_path, text))
    details = info.value.details
    assert len(details) == 5
    joined = "\n".join(details)
    assert "第 1 行 cluster：账号“whkjcyj”不在附件1的集群名单中（是否想写“whkjcyjq”？" in joined
    assert "第 3 行 sectons：未知的键“sectons”（是否想写“sections”？" in joined
    assert "第 6 行" in joined and "没有内容项“研发投人”（是否想写“研发投入”？" in joined
    assert "第 7 行" in joined and "请把 集群产业结构发展情况、集群创新能力建设情况" in joined
    assert "第 9 行" in joined and "“集群发展成校”不在附件3提纲中（是否想写“集群发展成效”？" in joined
    # Details are in line order.
    assert [int(d.split()[1]) for d in details] == sorted(int(d.split()[1]) for d in details)


def test_duplicate_heading_with_and_without_number(tmp_path: Path) -> None:
    path = _write(tmp_path, "cluster: whkjcyjq\nyear: 2024\nsections:\n  一、集群总体情况: a\n  集群总体情况: b\n")
    with pytest.raises(InputError) as info:
        load_report(path)
    assert info.value.line == 5 and "出现了两次" in info.value.message


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "文件是空的"),
        ("- a\n- b\n", "映射"),
        ("year: 2024\n", "缺少必填项“cluster”"),
        ("cluster: whkjcyjq\nyear: 2024\ndate: 2025年1月\n", "日期格式不正确"),
        ("cluster: whkjcyjq\nyear: 1900\n", "年份 1900 不合理"),
    ],
)
def test_other_bad_files(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(InputError) as info:
        load_report(_write(tmp_path, text))
    assert needle in info.value.text()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="文件不存在"):
        load_report(tmp_path / "report.yaml")


@pytest.mark.parametrize("account", ["whkjcyjq", "ycswcyjq", "szxgcyjq"])
def test_demo_report_files_load(account: str) -> None:
    r = load_report(ROOT / "inputs" / account / "report.yaml")
    assert r.cluster == account
    assert len(r.sections) >= 8
