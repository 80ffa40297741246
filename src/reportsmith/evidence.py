"""佐证材料: ``inputs/<account>/evidence.yaml``, its checklist, and the bundle of files.

附件3 六.2 asks for evidence of provincial-level-or-above service and R&D institutions,
of inclusion in local planning and of special policies; 附件2 四（一）/四（二） ask for
the named lists behind their counts. This module reads the lists, checks every file
(:mod:`evidencefiles`), reconciles the lists with the form and the report
(:mod:`evidencerules`) and returns an :class:`assembled.Checklist`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Mapping

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from . import evidencerules as er
from .assembled import Checklist, ChecklistItem
from .errors import Finding, InputError, Severity
from .evidencefiles import ATTACHED, INVALID, MISSING, FileCheck, bundle_names, check_file, write_bundle
from .formdata import FormData
from .formspec import resolve_key, rows_by_key
from .textutil import suggestion
from .yamlio import LineMap, load_yaml

__all__ = [
    "EvidenceInput", "Institution", "Document", "FILE_NAME", "load_evidence", "read_evidence", "parse_evidence",
    "build_checklist", "write_bundle", "bundle_names", "checklist_to_dict",
]

FILE_NAME = "evidence.yaml"


def _as_list(value: Any) -> Any:
    if value is None:
        return []
    return [value] if isinstance(value, str) else value


Files = Annotated[
    list[str],
    BeforeValidator(_as_list),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "description": "佐证材料文件：一个路径或路径列表，相对于 inputs/<账号>/，如 evidence/孵化器认定.pdf",
        }
    ),
]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)
    _line: int | None = PrivateAttr(default=None)

    name: str = Field(alias="名称", min_length=1, description="名称")
    doc_no: str | None = Field(default=None, alias="文号", description="批准或认定文件的文号（可选），如 国科发区〔2023〕12号")
    files: Files = Field(default_factory=list, alias="文件")

    @property
    def line(self) -> int | None:
        return self._line


class Institution(_Entry):
    """One named institution of 附件2 四（一）创新服务机构 / 四（二）研发机构."""

    category: str = Field(
        alias="类别",
        description="附件2 四（一）/四（二）中的指标名称，如 省级及以上科技企业孵化器",
        json_schema_extra={"enum": er.category_keys()},
    )
    level: str = Field(alias="级别", description="国家级 / 省级 / 市级 / 其他", json_schema_extra={"enum": er.levels()})

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        key = resolve_key(value)
        if key in er.category_keys():
            return key  # type: ignore[return-value]
        raise PydanticCustomError(
            "category",
            "类别“{value}”不是附件2 四（一）/四（二）中的指标。{hint}",
            {"value": value, "hint": suggestion(value, er.category_keys())},
        )

    @field_validator("level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value in er.levels():
            return value
        raise PydanticCustomError(
            "level", "级别“{value}”无效，应为 {allowed} 之一", {"value": value, "allowed": "、".join(er.levels())}
        )


class Document(_Entry):
    """A local planning document (纳入地方规划) or a special policy (专项政策支撑)."""


class EvidenceInput(BaseModel):
    """evidence.yaml: the named institution lists and the planning and policy documents."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, title="evidence.yaml（佐证材料名单）")

    cluster: str | None = Field(default=None, description="集群账号（可选），如 whkjcyjq")
    year: int | None = Field(default=None, description="年度（可选）")
    institutions: list[Institution] = Field(default_factory=list, alias="机构", description="四（一）创新服务机构和四（二）研发机构名单")
    planning: list[Document] = Field(default_factory=list, alias="规划", description="纳入地方规划的佐证：规划文件")
    policy: list[Document] = Field(default_factory=list, alias="政策", description="专项政策支撑的佐证：政策文件")


_SECTIONS = {"机构": Institution, "规划": Document, "政策": Document}
_TOP_KEYS = ["cluster", "year", *_SECTIONS]


def _message(err: Mapping[str, Any], model: type[BaseModel]) -> tuple[str, str | None]:
    kind = err["type"]
    if not err["loc"]:
        return "应为键值对", "每项以“- 名称: …”开头，下面缩进写类别、级别、文件等"
    field = str(err["loc"][0])
    if kind == "missing":
        return f"缺少“{field}”", f"请在该条目下填写“{field}: …”"
    if kind == "extra_forbidden":
        names = [f.alias or n for n, f in model.model_fields.items()]
        return f"未知字段“{field}”", suggestion(field, names) + f" 可用字段：{'、'.join(names)}"
    if kind in ("category", "level"):
        return err["msg"], None
    if kind.startswith("string") or kind == "list_type":
        return f"“{field}”的写法不对：应为文字" + ("或文字列表" if field == "文件" else ""), None
    return f"“{field}”的值无效：{err['msg']}", None


def parse_evidence(data: Any, lines: LineMap, file: str) -> tuple[EvidenceInput, list[Finding]]:
    """Validate each entry on its own: bad entries become findings and are left out."""
    if data is None:
        return EvidenceInput(), []
    if not isinstance(data, dict):
        raise InputError("evidence.yaml 的顶层应为键值对（机构、规划、政策）", file=file, line=1)
    findings: list[Finding] = []
    for key in data:
        if key not in _TOP_KEYS:
            findings.append(
                Finding(Severity.ERROR, "evidence.unknown_key", f"未知的键“{key}”，已忽略", file=file, line=lines.line(key), key=str(key),
                        hint=suggestion(str(key), _TOP_KEYS))
            )
    parsed: dict[str, list[_Entry]] = {}
    for section, model in _SECTIONS.items():
        raw = _as_list(data.get(section))
        if not isinstance(raw, list):
            findings.append(Finding(Severity.ERROR, "evidence.not_a_list", f"“{section}”应为列表（每项以“- 名称:”开头）", file=file, line=lines.line(section), key=section))
            raw = []
        parsed[section] = []
        for i, entry in enumerate(raw):
            line = lines.line(section, i)
            try:
                item = model.model_validate(entry)
            except ValidationError as exc:
                for err in exc.errors():
                    msg, hint = _message(err, model)
                    where = lines.line(section, i, *err["loc"][:1]) or line
                    findings.append(Finding(Severity.ERROR, "evidence.entry", f"“{section}”第 {i + 1} 项：{msg}", file=file, line=where, key=section, hint=hint))
                continue
            item._line = line
            parsed[section].append(item)
    top = {k: data[k] for k in ("cluster", "year") if k in data}
    try:
        EvidenceInput.model_validate(top)
    except ValidationError:
        findings.append(Finding(Severity.ERROR, "evidence.entry", "cluster 应为账号文字，year 应为年份数字", file=file,
                                line=lines.line("cluster") or lines.line("year"), hint="例如 cluster: whkjcyjq，year: 2024"))
        top = {}
    result = EvidenceInput(**top, institutions=parsed["机构"], planning=parsed["规划"], policy=parsed["政策"])
    return result, findings


def read_evidence(folder: Path) -> tuple[EvidenceInput | None, list[Finding]]:
    """evidence.yaml of ``folder`` with the problems of its entries; ``(None, [])`` when absent."""
    path = Path(folder) / FILE_NAME
    if not path.exists():
        return None, []
    data, lines = load_yaml(path)
    return parse_evidence(data, lines, str(path))


def load_evidence(folder: Path) -> EvidenceInput | None:
    """evidence.yaml of ``folder``, or None when absent; :class:`InputError` listing every invalid entry.

    >>> load_evidence(Path("inputs/whkjcyjq")).institutions[0].category  # doctest: +SKIP
    '省级及以上科技企业孵化器'
    """
    result, findings = read_evidence(folder)
    errors = [f for f in findings if f.severity == Severity.ERROR]
    if errors:
        raise InputError(f"有 {len(errors)} 处填写错误", file=Path(folder) / FILE_NAME, details=[f.text() for f in errors])
    return result


def _max_bytes(max_bytes: int | None) -> int:
    return max_bytes if max_bytes is not None else int(er.rules()["files"]["max_size_mb"] * 1024 * 1024)


def _allowed() -> dict[str, list[str]]:
    return {t["type"]: [e.lower() for e in t["extensions"]] for t in er.rules()["files"]["allowed_types"]}


def _entries(ev: EvidenceInput) -> list[tuple[str, str, _Entry]]:
    """(group, category, entry) in checklist order: institutions by form row order, then documents."""
    totals = list(er.group_totals())
    # An institution of no listed kind (类别 = the total) goes last in its group.
    order = {k: (totals.index(er.total_of(k)), k in totals, rows_by_key()[k].order) for k in er.category_keys()}
    insts = sorted(ev.institutions, key=lambda i: order[i.category])
    out: list[tuple[str, str, _Entry]] = [(er.group_of(i.category), i.category, i) for i in insts]
    out += [("地方规划", "地方规划", d) for d in ev.planning]
    out += [("专项政策", "专项政策", d) for d in ev.policy]
    return out


def _item(seq: int, group: str, category: str, entry: _Entry, checks: list[FileCheck]) -> ChecklistItem:
    bad = [c for c in checks if c.status == INVALID]
    missing = [c for c in checks if c.status == MISSING]
    if bad:
        status, reason = INVALID, "；".join(f"{c.written}：{c.reason}" for c in bad)
    elif missing:
        status, reason = MISSING, "；".join(f"{c.written}：{c.reason}" for c in missing)
    elif not checks:
        status, reason = MISSING, "未列出文件"
    else:
        status, reason = ATTACHED, ""
    return ChecklistItem(
        seq=seq, group=group, category=category, name=entry.name, level=getattr(entry, "level", ""), doc_no=entry.doc_no or "",
        files=[c.written for c in checks], status=status, reason=reason, sizes=[c.size for c in checks], sha256=[c.sha256 for c in checks],
    )


def _item_finding(item: ChecklistItem, entry: _Entry, file: str) -> Finding:
    what = f"第 {item.seq} 项“{item.name}”（{item.category}）的佐证材料"
    if item.status == INVALID:
        return Finding(Severity.ERROR, "evidence.invalid", f"{what}无效：{item.reason}", file=file, line=entry.line, key=item.name)
    hint = "请在该条目下写“文件: evidence/文件名.pdf”，并把文件放进该文件夹" if not item.files else "请把文件放到所写的位置，或更正路径"
    return Finding(Severity.WARNING, "evidence.missing", f"{what}缺失：{item.reason}", file=file, line=entry.line, key=item.name, hint=hint)


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
    limit, allowed = _max_bytes(max_bytes), _allowed()
    for group, category, entry in _entries(ev):
        required = not isinstance(entry, Institution) or er.needs_evidence(entry.level)
        if not required and not entry.files:
            continue
        checks = [check_file(folder, f, max_bytes=limit, allowed=allowed) for f in entry.files]
        item = _item(len(items) + 1, group, category, entry, checks)
        items.append(item)
        if item.status != ATTACHED:
            findings.append(_item_finding(item, entry, file))
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
        "counts": {"应附": len(items), "已附": sum(i.status == ATTACHED for i in items),
                   "缺失": sum(i.status == MISSING for i in items), "无效": sum(i.status == INVALID for i in items)},
        "problems": [f.to_dict() for f in checklist.findings],
    }
