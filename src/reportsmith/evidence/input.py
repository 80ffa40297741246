"""``inputs/<account>/evidence.yaml``: the named institution lists and the planning and policy documents.

The pydantic models give the JSON Schema (``reportsmith schema``) and validate each entry
on its own, so that one wrong entry becomes a finding with its line and the others are
still checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Mapping

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from reportsmith.evidence import rules as er
from reportsmith.core.errors import Finding, InputError, Severity
from reportsmith.form.spec import resolve_key
from reportsmith.core.textutil import suggestion
from reportsmith.core.yamlio import LineMap, load_yaml

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


class Entry(BaseModel):
    """What every entry has: a name, an optional document number and its files."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)
    _line: int | None = PrivateAttr(default=None)

    name: str = Field(alias="名称", min_length=1, description="名称")
    doc_no: str | None = Field(default=None, alias="文号", description="批准或认定文件的文号（可选），如 国科发区〔2023〕12号")
    files: Files = Field(default_factory=list, alias="文件")

    @property
    def line(self) -> int | None:
        """The line of the entry in evidence.yaml (for messages)."""
        return self._line


class Institution(Entry):
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


class Document(Entry):
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
    """A Chinese message and hint for one pydantic error of an entry."""
    kind = err["type"]
    if not err["loc"]:
        return "应为键值对", "每项以“- 名称: …”开头，下面缩进写类别、级别、文件等"
    field = str(err["loc"][0])
    if kind == "missing":
        return f"缺少“{field}”", f"请在该条目下填写“{field}: …”"
    if kind == "extra_forbidden":
        names = [f.alias or n for n, f in model.model_fields.items()]
        return f"未知字段“{field}”", suggestion(field, names) + f"可用字段：{'、'.join(names)}"
    if kind in ("category", "level"):
        return err["msg"], None
    if kind.startswith("string") or kind == "list_type":
        # YAML reads 2023 or 12.50 as a number: quoting keeps it as the text written.
        return f"“{field}”的写法不对：应为文字" + ("或文字列表" if field == "文件" else ""), f"如内容是纯数字，请加引号，如 {field}: \"2023\""
    return f"“{field}”的值无效：{err['msg']}", None


def _entry_finding(section: str, i: int, message: str, *, file: str, line: int | None, hint: str | None) -> Finding:
    return Finding(Severity.ERROR, "evidence.entry", f"“{section}”第 {i + 1} 项：{message}", file=file, line=line, key=section, hint=hint)


def _parse_section(section: str, raw: list[Any], lines: LineMap, file: str) -> tuple[list[Entry], list[Finding]]:
    model = _SECTIONS[section]
    entries: list[Entry] = []
    findings: list[Finding] = []
    for i, entry in enumerate(raw):
        line = lines.line(section, i)
        try:
            item = model.model_validate(entry)
        except ValidationError as exc:
            for err in exc.errors():
                msg, hint = _message(err, model)
                where = lines.line(section, i, *err["loc"][:1]) or line
                findings.append(_entry_finding(section, i, msg, file=file, line=where, hint=hint))
            continue
        item._line = line
        entries.append(item)
    return entries, findings


def parse_evidence(data: Any, lines: LineMap, file: str) -> tuple[EvidenceInput, list[Finding]]:
    """Validate each entry on its own: bad entries become findings and are left out."""
    if data is None:
        return EvidenceInput(), []
    if not isinstance(data, dict):
        raise InputError("evidence.yaml 的顶层应为键值对（机构、规划、政策）", file=file, line=1)
    findings = [
        Finding(Severity.ERROR, "evidence.unknown_key", f"未知的键“{key}”，已忽略", file=file, line=lines.line(key), key=str(key),
                hint=suggestion(str(key), _TOP_KEYS))
        for key in data
        if key not in _TOP_KEYS
    ]
    parsed: dict[str, list[Any]] = {}
    for section in _SECTIONS:
        raw = _as_list(data.get(section))
        if not isinstance(raw, list):
            findings.append(Finding(Severity.ERROR, "evidence.not_a_list", f"“{section}”应为列表（每项以“- 名称:”开头）",
                                    file=file, line=lines.line(section), key=section))
            raw = []
        parsed[section], more = _parse_section(section, raw, lines, file)
        findings += more
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
