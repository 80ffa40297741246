"""YAML inputs: line numbers, duplicate keys and syntax errors explained in Chinese."""

import errno

import pytest

from reportsmith.core.errors import InputError, os_error_reason
from reportsmith.core.yamlio import load_yaml, parse_yaml


def test_keys_are_found_with_their_lines():
    data, lines = parse_yaml("a: 1\nb:\n  c: |\n    x\n", "f.yaml")
    assert data == {"a": 1, "b": {"c": "x\n"}}
    assert lines.line("b", "c") == 3
    assert lines.line("b", "c", "deeper") == 3


def test_a_duplicate_key_is_refused_with_both_lines():
    with pytest.raises(InputError) as exc:
        parse_yaml("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert exc.value.line == 3
    assert "第 1 行和第 3 行" in exc.value.message


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("a:\n\tb: 1\n", 2, "制表符"),
        ('a: "evidence\\孵化器.pdf"\n', 1, "反斜杠"),
        ("a: 营业收入: 12\n", 1, "冒号"),
        ("a: [1\n", 2, "没有配对"),
        ("a: *x\n", 1, "引用"),
        ("a:\n  b: 1\n c: 2\n", 3, "缩进不一致"),
    ],
)
def test_syntax_errors_name_the_line_and_say_what_to_do_in_chinese(text, line, words):
    with pytest.raises(InputError) as exc:
        parse_yaml(text, "report.yaml")
    assert exc.value.file == "report.yaml" and exc.value.line == line
    assert words in exc.value.message


def test_a_file_in_another_encoding_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "form.yaml"
    path.write_bytes("年度: 2024\n".encode("gbk"))
    with pytest.raises(InputError) as exc:
        load_yaml(path)
    assert "UTF-8" in exc.value.message and "另存" in exc.value.hint


def test_a_bom_is_accepted(tmp_path):
    path = tmp_path / "form.yaml"
    path.write_bytes("\ufeffyear: 2024\r\n".encode("utf-8"))
    assert load_yaml(path)[0] == {"year": 2024}


def test_operating_system_errors_are_explained_in_chinese():
    assert os_error_reason(PermissionError(errno.EACCES, "Permission denied")) == "没有访问权限"
    assert os_error_reason(OSError(errno.ENOSPC, "No space left on device")) == "磁盘空间不足"
