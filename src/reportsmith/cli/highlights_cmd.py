"""``reportsmith highlights inputs/<account> [--json]``: derived figures and data sentences."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import console, emit_json, handles_errors, out, print_findings


def _indicator_json(ind) -> dict:
    return {
        "id": ind.id,
        "name": ind.name,
        "value": str(ind.value) if ind.value is not None else None,
        "unit": ind.unit,
        "display": ind.display,
        "reason": ind.reason,
        "previous": str(ind.previous) if ind.previous is not None else None,
        "change": ind.change,
        "shown": ind.shown,
    }


@click.command(name="highlights")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（键：indicators、sentences、problems）")
@handles_errors
def highlights(folder: Path, as_json: bool) -> int:
    """根据 FOLDER 中的统计报表 form.yaml 或 form.xlsx（也可直接给出 form.yaml 或填好的 .xlsx）计算派生指标，
    并生成各标题下的数据句。"""
    from rich.markup import escape
    from rich.table import Table

    from reportsmith.compute import highlights as hl
    from reportsmith.compute import indicators
    from reportsmith.outline import headings as outline
    from reportsmith.core.errors import InputError, exit_code_for
    from reportsmith.form.load import load_form
    from reportsmith.core.numfmt import format_derived
    from reportsmith.report.pipeline import form_path

    if folder.is_dir():
        found = form_path(folder)  # the same choice as build and check: form.yaml, else form.xlsx
        if found is None:
            raise InputError(
                "文件夹中没有统计报表 form.yaml 或 form.xlsx",
                file=folder,
                hint="请先填写 form.yaml（可用 reportsmith init 生成），或直接指定 form.yaml / .xlsx 文件",
            )
        folder = found
    form, findings = load_form(folder)
    inds = indicators.compute(form)
    sentences = hl.section_sentences(form)
    findings = findings + indicators.not_computable_findings(form)

    if as_json:
        emit_json(
            {
                "source": form.source,
                "cluster": form.cluster,
                "year": form.year,
                "indicators": [_indicator_json(i) for i in inds],
                "sentences": sentences,
                "problems": [f.to_dict() for f in findings],
            }
        )
        return exit_code_for(findings)

    from reportsmith.registry.clusters import load_clusters

    name = next((c.name for c in load_clusters() if c.account == form.cluster), form.cluster or "")
    table = Table(title=f"{escape(name)} {form.year}年 派生指标")
    for col in ("指标", "本年", "上年", "同比", "说明"):
        table.add_column(col, overflow="fold")
    for ind in inds:
        if ind.previous is not None:
            previous = format_derived(ind.previous, ind.unit, ind.decimals)
        else:
            previous = "不可计算" if form.previous else ""
        note = ind.reason or ("" if ind.shown else "不列入报告（显示条件不成立）")
        table.add_row(escape(ind.name), escape(ind.display), previous, escape(ind.change), escape(note))
    console().print(table)
    for heading, lines in sentences.items():
        h = outline.find_heading(heading)
        out()
        out(h.numbered if h else heading)
        if not lines:
            out("  （报表中相关数值未填，不生成数据句）")
        for line in lines:
            out(f"  {line}")
    if findings:
        out()
        print_findings(findings, title="统计报表提示")
    return exit_code_for(findings)
