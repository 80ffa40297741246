"""Load and validate one cluster's statistical form (附件2) from form.yaml or a filled .xlsx.

Reading is two steps, each reporting every problem at once:

* :func:`load_form` checks each value on its own with a pydantic model (unknown key,
  wrong type, negative count); a bad value becomes a :class:`Finding` and is left out.
* :func:`validate_form` checks values against each other (child above parent, disjoint
  children, category totals, plausibility) and marks every empty row as 未填.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Mapping

from pydantic import ValidationError

from reportsmith.form import spec as formspec

from reportsmith.registry import clusters as registry
from reportsmith.form._model import FILE_FIELDS, file_model, values_model
from reportsmith.core.errors import Finding, InputError, Severity
from reportsmith.form.data import FormData, Number
from reportsmith.core.textutil import suggestion
from reportsmith.core.yamlio import LineMap, load_yaml

LineOf = Callable[[str], "int | None"]


def load_form(path: Path) -> tuple[FormData, list[Finding]]:
    """Read ``path`` (form.yaml, a filled .xlsx, or a folder holding form.yaml).

    Raises :class:`InputError` if the file cannot be read or is not a mapping.
    Wrong values become findings and are left out of ``FormData.values``.

    >>> data, findings = load_form(Path("inputs/whkjcyjq/form.yaml"))  # doctest: +SKIP
    >>> data.values["集群企业总数"]  # doctest: +SKIP
    346
    """
    data, findings, _ = _load(Path(path))
    return data, findings


def _read(path: Path) -> tuple[Path, Any, LineMap]:
    if path.is_dir():
        path = path / "form.yaml"
    if path.suffix.lower() in (".xls", ".et", ".ods", ".csv"):
        raise InputError(f"不支持 {path.suffix} 格式的表格", file=path,
                         hint="请在 Excel/WPS 中“另存为”Excel 工作簿（.xlsx）后再校验")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from reportsmith.form.xlsx import read_xlsx

        raw, lines = read_xlsx(path)
    else:
        raw, lines = load_yaml(path)
    if not isinstance(raw, Mapping):
        raise InputError(
            "统计报表应是“键: 数值”的映射",
            file=path,
            hint="每行写一个指标，如“集群企业总数: 326”；可用 reportsmith init 生成模板",
        )
    return path, raw, lines


def _load(path: Path) -> tuple[FormData, list[Finding], LineMap]:
    path, raw, lines = _read(path)
    data, findings = parse_form(raw, file=str(path), lines=lines, folder=path.parent.name)
    return data, findings, lines


def parse_form(
    raw: Mapping[str, Any], *, file: str | None = None, lines: LineMap | None = None, folder: str | None = None
) -> tuple[FormData, list[Finding]]:
    """Turn a mapping (as read from YAML or Excel) into :class:`FormData` plus findings."""
    lines = lines or LineMap()
    findings: list[Finding] = []
    raw = {str(k): v for k, v in raw.items()}
    previous_raw = raw.get("previous")
    if previous_raw is not None and not isinstance(previous_raw, Mapping):
        findings.append(_finding("form.previous_not_mapping", "“previous”应是上年各指标的映射", file, lines, "previous",
                                 "请在 previous: 下一行起缩进两格，逐行写“指标: 数值”"))
        raw.pop("previous")
        previous_raw = None
    values, f1 = _validate_values(raw, file, lines, ())
    findings += f1
    previous: dict[str, Number] = {}
    if previous_raw is not None:
        previous, f2 = _validate_values({str(k): v for k, v in previous_raw.items()}, file, lines, ("previous",))
        findings += f2
    cluster, year, f3 = _header(raw, file, lines, folder)
    findings = f3 + sorted(findings, key=lambda f: f.line or 0)
    return FormData(values=values, previous=previous, year=year, cluster=cluster, source=file), findings


def validate_form(data: FormData, *, line_of: LineOf | None = None) -> list[Finding]:
    """Relational checks of a loaded form; 未填 rows are reported with severity info."""
    from reportsmith.form._rules import relational_findings

    return relational_findings(data, line_of=line_of)


def check_form_file(path: Path) -> tuple[FormData, list[Finding]]:
    """:func:`load_form` followed by :func:`validate_form`: every finding of one file."""
    data, findings, lines = _load(Path(path))
    return data, _with_relational(data, findings, lines)


def check_form_mapping(raw: Mapping[str, Any], *, file: str | None = None) -> tuple[FormData, list[Finding]]:
    """:func:`check_form_file` of a mapping held in memory (the workspace's form, as typed)."""
    data, findings = parse_form(raw, file=file)
    return data, _with_relational(data, findings, LineMap())


def _with_relational(data: FormData, findings: list[Finding], lines: LineMap) -> list[Finding]:
    relational = validate_form(data, line_of=_line_lookup(lines))
    # A row whose value was refused is already reported; do not call it 未填 as well.
    refused = {formspec.resolve_key(f.key or "") or f.key for f in findings}
    return findings + [f for f in relational if not (f.rule == "form.unfilled" and f.key in refused)]


def _line_lookup(lm: LineMap) -> LineOf:
    """Line of a row key (``previous.`` prefix allowed), also when the file used the alias."""
    aliases = {r.key: r.alias for r in formspec.value_rows() if r.alias}

    def line_of(key: str) -> int | None:
        path_ = tuple(key.split(".", 1)) if key.startswith("previous.") else (key,)
        found = lm.lines.get(path_)
        if found is None and path_[-1] in aliases:
            found = lm.lines.get(path_[:-1] + (aliases[path_[-1]],))
        return found

    return line_of


def _finding(rule: str, message: str, file: str | None, lines: LineMap, key: str, hint: str,
             severity: Severity = Severity.ERROR, path: tuple = ()) -> Finding:
    return Finding(severity, rule, message, file=file, line=lines.line(*path, key) if lines else None, key=key, hint=hint)


def _validate_values(
    raw: dict[str, Any], file: str | None, lines: LineMap, prefix: tuple
) -> tuple[dict[str, Number], list[Finding]]:
    """Validate the row values of one mapping; return the good values and a finding per bad one."""
    model = file_model() if not prefix else values_model()
    data = {k: v for k, v in raw.items() if not (prefix == () and k == "previous")}
    findings: list[Finding] = []
    bad: set[str] = set()
    for row in formspec.value_rows():
        if row.alias and row.key in data and row.alias in data:
            # Both spellings of one row: refuse both rather than guess which one is meant.
            findings.append(Finding(Severity.ERROR, "form.duplicate_row",
                                    f"“{row.key}”填了两次（又以简称“{row.alias}”出现）", file=file,
                                    line=lines.line(*prefix, row.alias), key=".".join(prefix + (row.key,)),
                                    hint="请只保留一处"))
            bad |= {row.key, row.alias}
    try:
        parsed = model.model_validate({k: v for k, v in data.items() if k not in bad})
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else ""
            bad.add(name)
            findings.append(_translate(err, name, data.get(name), file, lines, prefix))
        parsed = model.model_validate({k: v for k, v in data.items() if k not in bad})
    values = {k: v for k, v in parsed.model_dump(by_alias=True).items() if k not in FILE_FIELDS and v is not None}
    return values, findings


def _translate(err: Mapping[str, Any], name: str, value: Any, file: str | None, lines: LineMap, prefix: tuple) -> Finding:
    """A pydantic error as a Chinese finding with file, line, row key and a fix."""
    where = "上年（previous）" if prefix else ""
    key = ".".join(prefix + (name,))
    line = lines.line(*prefix, name)
    if err["type"] == "extra_forbidden":
        candidates = list(formspec.value_keys()) + [r.alias for r in formspec.value_rows() if r.alias]
        if not prefix:
            candidates += ["cluster", "year", "previous"]
        return Finding(Severity.ERROR, "form.unknown_key", f"{where}“{name}”不是附件2中的指标", file=file, line=line,
                       key=key, hint=suggestion(name, candidates) + "指标名称见 reportsmith form blank 生成的空白表")
    ctx = err.get("ctx") or {}
    rule = ctx.get("rule", "form.wrong_type")
    message = ctx.get("message") or f"{where}“{name}”的值“{value}”无法识别"
    if where and not message.startswith(where):
        message = where + message
    hint = ctx.get("hint", "请填写数字")
    return Finding(Severity.ERROR, rule, message, file=file, line=line, key=key, hint=hint, measured=_plain(value))


def _plain(value: Any) -> Any:
    return value if isinstance(value, (int, float, str, bool)) or value is None else str(value)


def _header(raw: Mapping[str, Any], file: str | None, lines: LineMap, folder: str | None) -> tuple[str | None, int, list[Finding]]:
    """The ``cluster`` and ``year`` entries (already type-checked by the model)."""
    findings: list[Finding] = []
    cluster = raw.get("cluster")
    if cluster is not None and not isinstance(cluster, str):
        cluster = str(cluster)  # e.g. a number: reported below as an unknown account
    if cluster is None or not cluster.strip():
        if folder in registry.accounts():
            cluster = folder
        else:
            findings.append(_finding("form.missing_cluster", "缺少集群账号 cluster", file, lines, "cluster",
                                     "请在文件开头写“cluster: 账号”，账号见 reportsmith clusters"))
            cluster = None
    elif cluster.strip() not in registry.accounts():
        findings.append(_finding("form.unknown_cluster", f"账号“{cluster}”不在附件1的集群名单中", file, lines, "cluster",
                                 suggestion(cluster.strip(), registry.accounts()) + "全部账号见 reportsmith clusters"))
        cluster = None
    else:
        cluster = cluster.strip()
        if folder in registry.accounts() and folder != cluster:
            # Typically a form copied from another cluster's folder and not yet adapted.
            findings.append(_finding("form.cluster_mismatch", f"账号“{cluster}”与所在文件夹“{folder}”不一致", file, lines,
                                     "cluster", f"如果这是 {folder} 的报表，请把 cluster 改为“{folder}”；否则请把文件放到 "
                                     f"{cluster} 的文件夹中", severity=Severity.WARNING))
    year = raw.get("year")
    if isinstance(year, str) and unicodedata.normalize("NFKC", year).strip().isdigit():
        year = int(unicodedata.normalize("NFKC", year))  # typed with full-width digits
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        if year is not None:
            findings.append(_finding("form.bad_year", f"年份“{year}”不是有效的年份", file, lines, "year",
                                     "请写四位数字的年份，如“year: 2024”"))
        year = 2024
    return cluster, year, findings


def form_yaml(data: FormData, *, comments: tuple[str, ...] = ()) -> str:
    """``data`` as form.yaml text (the inverse of :func:`load_form`): rows in printed order,
    section names as comments, 未填 rows left empty, last year's values under ``previous:``.
    """
    from reportsmith.registry import clusters as registry

    lines = [f"# {c}" for c in comments]
    if data.cluster in registry.accounts():  # the form names its cluster, not only its account
        cluster = registry.get_cluster(data.cluster)
        lines += [f"# 集群名称：{cluster.name}", f"# 集群单位名称（依托单位）：{cluster.units_text}"]
    if data.cluster:
        lines.append(f"cluster: {data.cluster}")
    lines.append(f"year: {data.year}")
    section = None
    for row in formspec.value_rows():
        if row.section != section:
            section = row.section
            lines.append(f"# {section}")
        lines.append(_yaml_entry(row.key, data.values.get(row.key)))
    if data.previous:
        lines.append(f"# 上年（{data.year - 1}年）数值，用于计算同比")
        lines.append("previous:")
        lines += ["  " + _yaml_entry(r.key, data.previous[r.key]) for r in formspec.value_rows() if r.key in data.previous]
    return "\n".join(lines) + "\n"


def _yaml_entry(key: str, value: Number | None) -> str:
    import yaml

    head = yaml.safe_dump({key: None}, allow_unicode=True, width=1000).strip()[: -len("null")].rstrip()
    if value is None:
        return head
    if isinstance(value, int):
        return f"{head} {value}"
    text = format(value, "f")
    # YAML reads an unquoted decimal as a float: quote it when a float would not keep every digit.
    exact = "." not in text or Decimal(repr(float(text))) == value
    return f"{head} {text}" if exact else f'{head} "{text}"'
