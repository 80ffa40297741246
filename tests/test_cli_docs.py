"""Every command is documented: --help text in Chinese and a usage section in the README."""

import re
from pathlib import Path

import pytest

from reportsmith.cli import COMMANDS, main

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_appears_in_the_readme_with_an_example(name):
    text = README.read_text(encoding="utf-8")
    assert re.search(rf"^#+ .*reportsmith {name}\b", text, re.M), f"README 缺少 reportsmith {name} 的小节"
    assert re.search(rf"^\$? ?reportsmith {name}\b", text, re.M), f"README 缺少 reportsmith {name} 的示例命令行"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_has_chinese_help(name, capsys):
    assert main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert "用法：" in out
    assert re.search(r"[\u4e00-\u9fff]", out.split("\n", 2)[-1]), f"{name} --help 没有中文说明"


def test_readme_opens_with_the_two_commands():
    head = README.read_text(encoding="utf-8")[:600]
    assert "make demo" in head and "make test" in head


def test_an_unknown_command_is_refused_in_chinese(capsys):
    assert main(["nosuch"]) == 2
    assert "没有命令" in capsys.readouterr().err


_SUBCOMMANDS = [[name] for name in sorted(COMMANDS) if name != "form"] + [["form", s] for s in ("validate", "blank", "docx")]


@pytest.mark.parametrize("args", _SUBCOMMANDS, ids=" ".join)
def test_help_shows_no_english_type_names(args, capsys):
    # Option value placeholders and "[required]" come from click; users read Chinese only.
    assert main([*args, "--help"]) == 0
    options = capsys.readouterr().out.split("选项", 1)[1]
    for word in ("TEXT", "INTEGER", "FLOAT", "RANGE", "required"):
        assert word not in options, f"{' '.join(args)} --help 中有英文“{word}”"


def test_a_bad_number_is_explained_in_chinese(capsys):
    assert main(["evidence", ".", "--max-size-mb", "abc"]) == 2
    err = capsys.readouterr().err
    assert "'abc' 不是有效的数字" in err and "range" not in err
