"""Shared printing and error handling for subcommands.

Every subcommand function returns its exit code; :func:`handles_errors` turns a
:class:`~reportsmith.core.errors.ReportsmithError` into a Chinese message on stderr and exit 2.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from typing import Any, Callable, Iterable

import click

from reportsmith.core.errors import EXIT_PROBLEMS, EXIT_UNREADABLE, Finding, ReportsmithError, Severity, os_error_reason


BROKEN_PIPE = "输出中断：接收输出的程序（例如管道中的 head）已提前关闭，结果没有完整输出。"


def handles_errors(fn: Callable[..., int]) -> Callable[..., int]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> int:
        try:
            return fn(*args, **kwargs)
        except ReportsmithError as exc:
            click.echo(f"错误：{exc.text()}", err=True)
            return exc.exit_code
        except BrokenPipeError:
            _silence_stdout()
            click.echo(BROKEN_PIPE, err=True)
            return EXIT_PROBLEMS
        except OSError as exc:
            where = f"{exc.filename}：" if exc.filename else ""
            click.echo(f"错误：{where}无法读写文件：{os_error_reason(exc)}", err=True)
            return EXIT_UNREADABLE
        except RecursionError:
            click.echo("错误：输入的嵌套层数过多，无法处理；请检查文件的缩进和括号。", err=True)
            return EXIT_UNREADABLE
        except MemoryError:
            click.echo("错误：内存不足，输入文件可能过大；请检查是否粘贴了大量无关内容。", err=True)
            return EXIT_UNREADABLE

    return wrapper


def _silence_stdout() -> None:
    """After a broken pipe, send what is still buffered to nowhere instead of failing again at exit."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError):
        pass


def emit_json(data: Any) -> None:
    """Print JSON with Chinese kept readable (no \\u escapes)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def console(stderr: bool = False):
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:  # rich would exit silently; handles_errors says what happened
            self.quiet = True
            raise BrokenPipeError

    return _Console(stderr=stderr, highlight=False, soft_wrap=True)


_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def print_findings(findings: Iterable[Finding], *, title: str | None = None) -> None:
    """A table of findings: severity, location, message and hint."""
    from rich.markup import escape
    from rich.table import Table

    findings = list(findings)
    c = console()
    if not findings:
        c.print("[green]未发现问题。[/green]")
        return
    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("级别", no_wrap=True)
    # "fold": a CJK sentence has no spaces to wrap at, and rich's default would cut it with "…".
    for col in ("位置", "问题", "如何修改"):
        table.add_column(col, overflow="fold")
    for f in findings:
        table.add_row(
            f"[{_STYLE[f.severity]}]{f.severity.label}[/]", escape(f.location), escape(f.message), escape(f.hint or "")
        )
    c.print(table)


def out(text: str = "") -> None:
    click.echo(text)


def is_terminal() -> bool:
    return sys.stdout.isatty()
