"""佐证材料清单: the checklist of one cluster folder, with every finding about it.

附件3 六.2 asks for evidence of provincial-level-or-above service and R&D institutions,
of inclusion in local planning and of special policies; 附件2 四（一）/四（二） ask for
the named lists behind their counts. The lists are read by :mod:`evidenceinput`, each
file is checked by :mod:`evidencefiles`, the lists are reconciled with the form and the
report by :mod:`evidencerules`; this module puts it together as an
:class:`assembled.Checklist`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from reportsmith.evidence import rules as er
from reportsmith.records.assembled import NOT_REQUIRED, Checklist, ChecklistItem
from reportsmith.core.errors import Finding, Severity
from reportsmith.evidence.files import ATTACHED, INVALID, MISSING, FileCheck, bundle_names, check_file, write_bundle
from reportsmith.evidence.input import FILE_NAME, Document, Entry, EvidenceInput, Institution, load_evidence, parse_evidence, read_evidence
from reportsmith.form.data import FormData
from reportsmith.form.spec import rows_by_key

__all__ = [
    "EvidenceInput", "Institution", "Document", "FILE_NAME", "load_evidence", "read_evidence", "parse_evidence",
    "build_checklist", "write_bundle", "bundle_names", "checklist_to_dict",
]


def _entries(ev: EvidenceInput) -> list[tuple[str, str, Entry]]:
    """(group, category, entry) in checklist order: institutions by form row order, then documents."""
    totals = list(er.group_totals())
    # An institution of no listed kind (类别 = the total) goes last in its group.
    order = {k: (totals.index(er.total_of(k)), k in totals, rows_by_key()[k].order) for k in er.category_keys()}
    insts = sorted(ev.institutions, key=lambda i: order[i.category])
    out: list[tuple[str, str, Entry]] = [(er.group_of(i.category), i.category, i) for i in insts]
    out += [("地方规划", "地方规划", d) for d in ev.planning]
    out += [("专项政策", "专项政策", d) for d in ev.policy]
    return out


def _item(seq: int, group: str, category: str, entry: Entry, checks: list[FileCheck], required: bool = True) -> ChecklistItem:
    """One checklist line; its 状态 is the worst of its files (无效 before 缺失)."""
    bad = [c for c in checks if c.status == INVALID] or [c for c in checks if c.status == MISSING]
    if not required and not checks:
        status, reason = NOT_REQUIRED, ""
    elif bad:
        status = bad[0].status
        # With one file the 佐证材料 column already names it; with several, say which.
        reason = bad[0].reason if len(checks) == 1 else "；".join(f"{c.path}：{c.reason}" for c in checks if not c.ok)
    elif not checks:
        status, reason = MISSING, "未列出文件"
    else:
        status, reason = ATTACHED, ""
    return ChecklistItem(
        seq=seq, group=group, category=category, name=entry.name, level=getattr(entry, "level", ""), doc_no=entry.doc_no or "",
        files=[c.path for c in checks], status=status, reason=reason, sizes=[c.size for c in checks], sha256=[c.sha256 for c in checks],
    )


def _file_findings(item: ChecklistItem, entry: Entry, checks: list[FileCheck], file: str) -> list[Finding]:
    """One finding per file that is not attached (each names the file, why, and how to fix it)."""
    what = f"第 {item.seq} 项“{item.name}”（{item.category}）的佐证材料"
    if not checks:
        return [Finding(Severity.WARNING, "evidence.missing", f"{what}缺失：未列出文件", file=file, line=entry.line, key=item.name,
                        hint="请在该条目下写“文件: evidence/文件名.pdf”，并把文件放进该文件夹")]
    out = []
    for c in checks:
        if c.status == INVALID:
            out.append(Finding(Severity.ERROR, "evidence.invalid", f"{what}“{c.path}”无效：{c.reason}", file=file, line=entry.line,
                               key=item.name, hint=c.hint))
        elif c.status == MISSING:
            out.append(Finding(Severity.WARNING, "evidence.missing", f"{what}“{c.path}”缺失：{c.reason}", file=file, line=entry.line,
                               key=item.name, hint=c.hint))
    return out


def build_checklist(
    folder: Path, form: FormData | None, report_texts: Mapping[str, str] | None = None, *, max_bytes: int | None = None
) -> Checklist:
    """The 佐证材料清单 of a cluster folder, numbered 1..N, with every finding about it.

    ``report_texts`` maps heading titles to their text (for the planning/policy naming rule);
    ``max_bytes`` overrides the size limit of ``data/evidence_rules.yaml``.
    """
    folder = Path(folder)
    file = str(folder / FILE_NAME)
    ev, findings = read_evidence(folder)
    if ev is None:
        findings.append(_absent_finding(form, file))
        ev = EvidenceInput()
    items: list[ChecklistItem] = []
    limit, allowed = max_bytes if max_bytes is not None else er.max_bytes(), er.allowed_types()
    for group, category, entry in _entries(ev):
        # Every institution the writer lists is in the list (附件2 asks for all of them); one of
        # a level that needs no evidence (市级, 其他) and without a file is 不要求佐证.
        required = not isinstance(entry, Institution) or er.needs_evidence(entry.level)
        checks = [check_file(folder, f, max_bytes=limit, allowed=allowed) for f in entry.files]
        item = _item(len(items) + 1, group, category, entry, checks, required)
        items.append(item)
        if item.required or checks:
            findings += _file_findings(item, entry, checks, file)
    findings += _institution_findings(ev, file)
    if form is not None and form.cluster and ev.cluster and form.cluster != ev.cluster:
        findings.append(Finding(Severity.WARNING, "evidence.cluster", f"evidence.yaml 的 cluster 为“{ev.cluster}”，而统计报表为“{form.cluster}”",
                                file=file, key="cluster", hint="请确认两个文件属于同一集群"))
    if form is not None:
        named = [er.Named(i.name, i.category, i.level) for i in ev.institutions]
        findings += er.reconcile(named, form, file=file)
    if report_texts:
        listed = {"地方规划": [d.name for d in ev.planning], "专项政策": [d.name for d in ev.policy]}
        findings += er.naming_findings(report_texts, listed, file=file)
    return Checklist(items=items, findings=findings)


def _absent_finding(form: FormData | None, file: str) -> Finding:
    total = sum(int(form.get(k) or 0) for k in er.group_totals()) if form else 0
    if total:
        return Finding(Severity.WARNING, "evidence.absent", f"没有 evidence.yaml，而统计报表四（一）（二）共填报 {total} 个机构（附件2要求附名单）",
                       file=file, hint="用 reportsmith init 生成 evidence.yaml 模板，列出机构名单并附佐证材料")
    return Finding(Severity.INFO, "evidence.absent", "没有 evidence.yaml，佐证材料清单为空", file=file,
                   hint="如有省级以上机构、地方规划或专项政策，请在 evidence.yaml 中列出并附佐证材料")


def _institution_findings(ev: EvidenceInput, file: str) -> list[Finding]:
    """A level that cannot belong to the category, and an institution listed twice."""
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for i in ev.institutions:
        problem = er.level_problem(i.category, i.level)
        if problem:
            out.append(Finding(Severity.WARNING, "evidence.level_category", f"“{i.name}”：{problem}", file=file, line=i.line, key=i.name, hint="请核对类别或级别"))
        if (i.name, i.category) in seen:
            out.append(Finding(Severity.WARNING, "evidence.duplicate", f"“{i.name}”在类别“{i.category}”中列出了两次", file=file, line=i.line, key=i.name, hint="请删去重复的一项"))
        seen.add((i.name, i.category))
    return out


def checklist_to_dict(checklist: Checklist) -> dict[str, Any]:
    """The checklist as plain data (for --json and other formatters)."""
    items = checklist.items
    return {
        "items": [
            {"序号": i.seq, "分组": i.group, "类别": i.category, "名称": i.name, "级别": i.level, "文号": i.doc_no,
             "佐证材料": i.files, "状态": i.status, "原因": i.reason, "大小": i.sizes, "sha256": i.sha256}
            for i in items
        ],
        "count_line": checklist.count_line,
        "counts": {"应附": sum(i.required for i in items), "已附": sum(i.status == ATTACHED for i in items),
                   "缺失": sum(i.status == MISSING for i in items), "无效": sum(i.status == INVALID for i in items),
                   NOT_REQUIRED: sum(i.status == NOT_REQUIRED for i in items)},
        "problems": [f.to_dict() for f in checklist.findings],
    }
