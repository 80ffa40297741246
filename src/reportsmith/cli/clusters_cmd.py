"""``reportsmith clusters [QUERY] [--json] [--lint]``: the 48 clusters of 附件1."""

from __future__ import annotations

import click

from ._common import console, emit_json, handles_errors, print_findings


@click.command(name="clusters")
@click.argument("query", required=False)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 数组输出（键：level、seq、name、units、account）")
@click.option("--lint", is_flag=True, help="指出名单中的不规范写法（名单照录原文，不自动更正）")
@handles_errors
def clusters(query: str | None, as_json: bool, lint: bool) -> int:
    """列出附件1中的集群；QUERY 可以是账号、名称片段，或“国家级-3”“省级-12”这样的序号。"""
    from rich.markup import escape
    from rich.table import Table

    from reportsmith.core.errors import exit_code_for, split_findings
    from reportsmith.registry.clusters import find_clusters, lint_clusters

    if lint:
        findings = lint_clusters()
        if as_json:
            emit_json({k: [f.to_dict() for f in v] for k, v in split_findings(findings).items()})
        else:
            print_findings(findings, title="集群名单检查")
        return exit_code_for(findings)

    found = find_clusters(query)
    if not found:
        if as_json:
            emit_json([])  # a script still reads valid JSON
        click.echo(f"没有与“{query}”匹配的集群。可按账号（如 whkjcyjq）、名称片段（如 香菇）"
                   "或序号（如 国家级-3、省级-12）查找；不带参数列出全部。", err=True)
        return 1
    if as_json:
        emit_json([c.model_dump(include={"level", "seq", "name", "units", "account"}) | {"units": list(c.units)}
                   for c in found])
        return 0
    table = Table(title=f"创新型产业集群（{len(found)} 个）")
    for col in ("级别", "序号", "集群名称", "依托单位", "账号"):
        table.add_column(col, no_wrap=col in ("级别", "序号", "账号"), overflow="fold")
    for c in found:
        table.add_row(c.level, str(c.seq), escape(c.name), escape(c.units_text), c.account)
    console().print(table)
    return 0
