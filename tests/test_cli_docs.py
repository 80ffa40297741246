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


def _documented_command_lines():
    docs = [README, *sorted((README.parent / "docs" / "usage").glob("*.md"))]
    for doc in docs:
        for block in re.findall(r"```[^\n]*\n(.*?)```", doc.read_text(encoding="utf-8"), re.S):
            for line in block.splitlines():
                line = line.removeprefix("$ ").split("  #")[0].strip()
                # Synopsis lines ("[-o 文件夹]", "<账号>", "a|b", "…") describe, they are not typed.
                if line.startswith("reportsmith ") and not re.search(r"[\[<|…]", line):
                    yield doc.name, line


@pytest.mark.parametrize("doc, line", sorted(set(_documented_command_lines())))
def test_every_documented_command_line_parses(doc, line):
    """An example in the docs uses only commands, options and argument counts that exist."""
    import shlex

    import click

    from reportsmith.cli import cli

    ctx = click.Context(cli)
    name, *rest = shlex.split(line)[1:]
    command = cli.get_command(ctx, name)
    while isinstance(command, click.Group):
        name, *rest = rest
        command = command.get_command(ctx, name)
    assert command is not None, f"{doc}: 没有命令 {name}"
    # Parsing checks option names, argument counts and value types; the command does not run.
    command.make_context(name, list(rest))


def test_the_documented_line_check_catches_an_unknown_option():
    import click

    from reportsmith.cli import cli

    command = cli.get_command(click.Context(cli), "build")
    with pytest.raises(click.UsageError):
        command.make_context("build", ["inputs/whkjcyjq", "--nosuch"])


def test_readme_says_how_to_reach_the_commands_after_make_demo(tmp_path):
    """The activation line the README shows after `make demo` really puts `reportsmith` on the PATH."""
    import os
    import subprocess
    import sys

    text = README.read_text(encoding="utf-8")
    after_demo = text[text.index("`make demo` 运行后") :]
    block = re.search(r"```[^\n]*\n(.*?)```", after_demo, re.S).group(1)
    lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
    assert lines[0] == "source .venv/bin/activate" and lines[1].startswith("reportsmith ")
    root = README.parent
    venv = Path(sys.prefix)
    if not (root / ".venv").exists() or venv.resolve() != (root / ".venv").resolve():
        pytest.skip("the suite runs outside the repository's .venv (make test creates it)")
    # A fresh shell whose PATH does not know the venv: without the README's line the command is not found.
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if Path(p).resolve() != (venv / "bin").resolve())
    env = {"PATH": path, "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    import shutil

    if shutil.which("reportsmith", path=path) is None:  # a machine may have another one on its PATH
        bare = subprocess.run(["bash", "-c", lines[1]], cwd=root, env=env, capture_output=True, text=True)
        assert bare.returncode == 127  # command not found: the defect the README line fixes
    shown = subprocess.run(["bash", "-c", " && ".join(lines[:2])], cwd=root, env=env, capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert "创新型产业集群（48 个）" in shown.stdout
