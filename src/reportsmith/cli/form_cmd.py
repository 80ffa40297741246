"""``reportsmith form validate|blank|docx``: the statistical form (附件2)."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import console, emit_json, handles_errors, out, print_findings


@click.group(name="form")
def form() -> None:
    """统计报表（附件2）：校验 form.yaml 或填好的 Excel 表，生成空白 Excel 表，导出 Word 表。"""


def _targets(path: Path) -> list[Path]:
    """The form files PATH stands for: itself, its form.yaml, or the form.yaml of each sub-folder."""
    if not path.is_dir():
        return [path]
    if (path / "form.yaml").exists():
        return [path / "form.yaml"]
    found = sorted(p / "form.yaml" for p in path.iterdir() if (p / "form.yaml").is_file())
    return found or [path / "form.yaml"]


def _summary(findings: list) -> str:
    from reportsmith.core.errors import split_findings

    parts = split_findings(findings)
    return f"错误 {len(parts['errors'])} 个，警告 {len(parts['warnings'])} 个，未填 {len(parts['infos'])} 行"


@form.command(name="validate")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出：{\"errors\": [...], \"warnings\": [...], \"infos\": [...]}")
@handles_errors
def validate(path: Path, as_json: bool) -> int:
    """校验统计报表。PATH 可以是 form.yaml、填好的 .xlsx、含 form.yaml 的文件夹，或各集群文件夹的上级文件夹。"""
    from reportsmith.core.errors import exit_code_for, split_findings
    from reportsmith.form.load import check_form_file

    targets = _targets(path)
    results = [(t, check_form_file(t)[1]) for t in targets]
    as_dicts = [{k: [f.to_dict() for f in v] for k, v in split_findings(fs).items()} for _, fs in results]
    single = not path.is_dir() or (path / "form.yaml").exists()
    if as_json:
        if single:
            emit_json(as_dicts[0])
        else:
            emit_json([{"file": str(t), **d} for (t, _), d in zip(results, as_dicts)])
    elif single:
        target, findings = results[0]
        problems = [f for f in findings if f.is_problem]
        print_findings(problems, title=f"{target} 的校验结果")
        unfilled = [f.key for f in findings if f.rule == "form.unfilled"]
        if unfilled:
            out(f"未填（{len(unfilled)} 行，不按 0 计算）：{'、'.join(unfilled)}")
        out(f"{target}：{_summary(findings)}。" + ("" if problems else "校验通过。"))
    else:
        _print_table(results)
    return max(exit_code_for(fs) for _, fs in results)


def _print_table(results: list) -> None:
    from rich.markup import escape
    from rich.table import Table

    from reportsmith.core.errors import split_findings

    table = Table(title=f"统计报表校验（{len(results)} 个文件）")
    for col in ("文件", "错误", "警告", "未填", "结果"):
        table.add_column(col, overflow="fold")
    for target, findings in results:
        parts = split_findings(findings)
        ok = not parts["errors"] and not parts["warnings"]
        table.add_row(escape(str(target)), str(len(parts["errors"])), str(len(parts["warnings"])),
                      str(len(parts["infos"])), "[green]通过[/]" if ok else "[red]有问题[/]")
    console().print(table)
    for target, findings in results:
        problems = [f for f in findings if f.is_problem]
        if problems:
            print_findings(problems, title=str(target))


@form.command(name="blank")
@click.argument("account")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), required=True, help="输出的 .xlsx 文件")
@click.option("--year", type=click.IntRange(2000, 2100), default=2024, show_default=True, help="报表年度")
@handles_errors
def blank(account: str, output: Path, year: int) -> int:
    """为账号 ACCOUNT 的集群生成空白统计报表（Excel）：只有“数量”列可以填写。"""
    from reportsmith.form.xlsx import write_xlsx

    _check_output(output, ".xlsx")
    _write(lambda: write_xlsx(output, account.strip().lower(), year=year), output)
    out(f"已生成空白统计报表：{output}（填好后可用 reportsmith form validate {output} 校验）")
    return 0


@form.command(name="docx")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), required=True, help="输出的 .docx 文件")
@handles_errors
def docx(path: Path, output: Path) -> int:
    """把填好的统计报表（form.yaml、.xlsx 或其所在文件夹）导出为 Word 表格。有错误时不生成。"""
    from reportsmith.core.errors import Severity
    from reportsmith.form.load import check_form_file
    from reportsmith.form.word import write_docx

    _check_output(output, ".docx")
    data, findings = check_form_file(path)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    warnings = [f for f in findings if f.severity is Severity.WARNING]
    if errors:
        print_findings(errors + warnings, title="统计报表有错误，未生成 Word 表")
        return 1
    if warnings:
        print_findings(warnings, title="统计报表的警告（已生成 Word 表，请核对）")
    _write(lambda: write_docx(data, output), output)
    out(f"已生成 Word 统计报表：{output}")
    return 0


def _check_output(output: Path, suffix: str) -> None:
    """Refuse an output path Excel/Word could not open, before any work is done."""
    from reportsmith.core.errors import InputError

    if output.is_dir():
        raise InputError("输出路径是一个文件夹", file=output, hint=f"请在 -o 后写文件名，如 -o {output / ('统计报表' + suffix)}")
    if output.suffix.lower() != suffix:
        raise InputError(f"输出文件应以 {suffix} 结尾", file=output, hint=f"如 -o {output.with_suffix(suffix).name}")


def _write(write, output: Path) -> None:
    """Run ``write``; an operating-system refusal becomes an unreadable-output error (exit 2)."""
    from reportsmith.core.errors import InputError, os_error_reason

    try:
        write()
    except OSError as exc:
        # Typically a read-only folder, or on Windows the file is open in Excel/WPS/Word.
        cause = os_error_reason(exc)
        raise InputError(f"无法写入输出文件：{cause}", file=output,
                         hint="请检查输出文件夹是否可写；如该文件正在 Excel/WPS/Word 中打开，请先关闭") from None


