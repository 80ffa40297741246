"""The evidence rules of ``data/evidence_rules.yaml`` and the checks that follow from them.

* which 附件2 rows an institution of ``evidence.yaml`` may name as its 类别, and under
  which rows it counts (a 国家级 incubator counts under 国家级 and 省级及以上 both);
* :func:`reconcile`: the named lists against the form's 四（一）/四（二） figures;
* :func:`naming_findings`: the report must name a planning / policy document (《…》)
  when its 集群发展环境 heading claims one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

import regex

from reportsmith.core.errors import Finding, Severity
from reportsmith.form.data import FormData
from reportsmith.form.spec import FormRow, rows_by_key, value_rows
from reportsmith.outline.headings import find_heading
from reportsmith.core.resources import load_data


def rules() -> dict:
    """The parsed rules file (cached by :func:`resources.load_data`; do not mutate)."""
    return load_data("evidence_rules.yaml")


@lru_cache(maxsize=1)
def group_totals() -> dict[str, str]:
    """Form total row → checklist group name: ``{"创新服务机构数": "创新服务机构", …}``."""
    return {g["form_total"]: g["name"] for g in rules()["groups"] if g.get("form_total")}


@lru_cache(maxsize=1)
def category_rows() -> tuple[FormRow, ...]:
    """The rows an institution's 类别 may name, in printed order.

    The members of 四（一）/四（二） and their "其中" rows, plus the two totals themselves for an
    institution that belongs to none of the listed kinds (the form allows a total above the sum).
    """
    totals = group_totals()
    members = {r.key for r in value_rows() if r.group in totals}
    return tuple(r for r in value_rows() if r.key in totals or r.key in members or r.parent in members)


def category_keys() -> list[str]:
    """Row keys allowed as 类别, in the printed order of 附件2."""
    return [r.key for r in category_rows() if r.key]


def member_keys(total: str) -> list[str]:
    """The category rows counted under ``total`` (the total itself excluded)."""
    return [k for k in category_keys() if k != total and total_of(k) == total]


def levels() -> list[str]:
    """The levels an institution may have: 国家级 / 省级 / 市级 / 其他."""
    return list(rules()["levels"])


def max_bytes() -> int:
    """The size limit of one evidence file, from ``files.max_size_mb``."""
    return int(rules()["files"]["max_size_mb"] * 1024 * 1024)


def allowed_types() -> dict[str, list[str]]:
    """Allowed content type → its extensions (lower case, with the dot): ``{"PDF": [".pdf"], …}``."""
    return {t["type"]: [e.lower() for e in t["extensions"]] for t in rules()["files"]["allowed_types"]}


def total_of(category: str) -> str:
    """The form total (创新服务机构数 / 研发机构) a category belongs to."""
    if category in group_totals():
        return category
    row = rows_by_key()[category]
    if row.group:
        return row.group
    return rows_by_key()[row.parent or ""].group or ""


def group_of(category: str) -> str:
    """The checklist group (创新服务机构 / 研发机构) of a category."""
    return group_totals()[total_of(category)]


def needs_evidence(level: str) -> bool:
    """Whether an institution of this level must come with evidence (省级以上)."""
    return level in rules()["required"]["institution_levels"]


def counts_under(category: str, level: str, row: str) -> bool:
    """Whether an institution of ``category`` and ``level`` counts under form row ``row``."""
    if category == row:
        return True
    counting = rules()["counting"]
    if counting.get("child_counts_under_parent") and rows_by_key()[category].parent == row:
        return True
    return any(
        r["child"] == row and r["parent"] == category and level in r["levels"]
        for r in counting.get("level_counts_under_child", [])
    )


def level_problem(category: str, level: str) -> str | None:
    """A message when the level cannot belong to the category (省级及以上… at 市级)."""
    for c in rules().get("level_constraints", []):
        if category in c["categories"] and level not in c["levels"]:
            return f"类别“{category}”的级别应为{'或'.join(c['levels'])}，填写的是“{level}”"
    return None


@dataclass(frozen=True)
class Named:
    """An institution as the reconciliation sees it."""

    name: str
    category: str
    level: str


def _names(items: Sequence[Named]) -> str:
    return "、".join(i.name for i in items) or "（无）"


def _compare(row: str, value: int | None, named: list[Named], file: str | None) -> Finding | None:
    n = len(named)
    if value is None:
        if not n:
            return None
        return Finding(
            Severity.WARNING,
            "evidence.count_unfilled",
            f"统计报表中“{row}”未填，名单中列出 {n} 个：{_names(named)}",
            file=file,
            key=row,
            hint="请在 form.yaml 中填写该行，或核对名单中这些机构的类别",
            measured=n,
        )
    if int(value) == n:
        return None
    hint = (
        "名单少于报表：请在 evidence.yaml 的“机构”中补齐名单（附件2要求附名单），或更正统计报表"
        if n < value
        else "名单多于报表：请核对名单中机构的类别和级别，或更正统计报表"
    )
    return Finding(
        Severity.WARNING,
        "evidence.count_mismatch",
        f"统计报表“{row}”填报 {value} 个，名单中列出 {n} 个：{_names(named)}",
        file=file,
        key=row,
        hint=hint,
        measured=n,
        limit=int(value),
    )


def reconcile(named: Sequence[Named], form: FormData, *, file: str | None = None) -> list[Finding]:
    """Named institutions against the form, row by row and per total; 未填 rows are said so.

    An empty list against a form that reports institutions is one finding, not one per
    row: the writer has a single thing to do, list them.
    """
    if not named:
        reported = {t: form.get(t) for t in group_totals() if form.get(t)}
        if reported:
            detail = "、".join(f"{t} {v} 个" for t, v in reported.items())
            return [
                Finding(
                    Severity.WARNING,
                    "evidence.list_empty",
                    f"统计报表填报了{detail}，但 evidence.yaml 的“机构”名单为空",
                    file=file,
                    key="机构",
                    hint="附件2要求“附名单”：请在 evidence.yaml 的“机构”下逐个列出这些机构的名称、类别和级别",
                    measured=0,
                    limit=sum(int(v) for v in reported.values()),
                )
            ]
    findings: list[Finding] = []
    unfilled: list[str] = []
    for total in group_totals():
        for row in member_keys(total):
            here = [i for i in named if counts_under(i.category, i.level, row)]
            if not form.is_filled(row) and not here:
                unfilled.append(row)
            f = _compare(row, form.get(row), here, file)
            if f:
                findings.append(f)
        in_total = [i for i in named if total_of(i.category) == total]
        if not form.is_filled(total) and not in_total:
            unfilled.append(total)
        f = _compare(total, form.get(total), in_total, file)
        if f:
            findings.append(f)
    if unfilled:
        findings.append(
            Finding(
                Severity.INFO,
                "evidence.count_not_filled",
                f"统计报表中以下各行未填，名单中也没有相应机构，未核对：{'、'.join(unfilled)}",
                file=file,
                hint="没有该类机构时，请在 form.yaml 中填 0",
            )
        )
    return findings


def _claim_pattern(cue: str) -> regex.Pattern:
    parts = [regex.escape(p) for p in cue.split("…")]
    return regex.compile(r"[^。！？\n]{0,20}?".join(parts))


_TITLE = regex.compile(r"《([^《》\n]{1,80})》")


def _bare(title: str) -> str:
    return regex.sub(r"[\s《》]", "", title)


def naming_findings(
    report_texts: Mapping[str, str], listed: Mapping[str, Sequence[str]], *, file: str | None = None
) -> list[Finding]:
    """The report's 集群发展环境 text must name (《…》) the planning / policy documents it claims.

    ``listed`` maps a group (地方规划 / 专项政策) to the names given in evidence.yaml.
    """
    conf = rules()["report_naming"]
    heading = conf["heading"]
    text = "\n".join(t for k, t in report_texts.items() if (h := find_heading(k)) and h.title == heading)
    if not text.strip():
        return []
    titles = _TITLE.findall(text)
    findings: list[Finding] = []
    for rule in conf["rules"]:
        group = rule["group"]
        claim = next((m.group() for c in rule["claims"] if (m := _claim_pattern(c).search(text))), None)
        if claim is None:
            continue
        named = [t for t in titles if any(w in t for w in rule["titles"])]
        if not named:
            findings.append(
                Finding(
                    Severity.WARNING,
                    "evidence.report_names_document",
                    f"“{heading}”写到“{claim}”，但正文中没有用书名号写出任何{group}文件的名称",
                    file=file,
                    key=heading,
                    hint="请写出文件全称，如《……》，并在 evidence.yaml 中附上该文件作为佐证材料",
                )
            )
        if not listed.get(group):
            findings.append(
                Finding(
                    Severity.WARNING,
                    "evidence.claim_without_evidence",
                    f"“{heading}”写到“{claim}”，但 evidence.yaml 中没有列出{group}文件",
                    file=file,
                    key=heading,
                    hint=f"请在 evidence.yaml 的“{'规划' if group == '地方规划' else '政策'}”中列出该文件并附佐证材料",
                )
            )
            continue
        # A document listed under either group counts as listed (a 行动方案 may be either).
        known = {_bare(n) for names in listed.values() for n in names}
        for t in named:
            if _bare(t) not in known:
                findings.append(
                    Finding(
                        Severity.INFO,
                        "evidence.named_not_listed",
                        f"正文中点名的《{t}》不在 evidence.yaml 的{group}名单中",
                        file=file,
                        key=heading,
                        hint="如该文件属于纳入地方规划或专项政策支撑，请在 evidence.yaml 中列出并附佐证材料",
                    )
                )
    return findings
