"""JSON Schemas of the three input files, for editors that read a ``$schema`` line.

``report.yaml``: every heading title of 附件3 (with and without its number) as a known
property, each taking text or a topic → text mapping, with 附件3's requirement as the
description. ``form.yaml``: every row key of 附件2 with its type and unit. ``evidence.yaml``:
the pydantic model of :mod:`reportsmith.evidence.checklist`. Output is deterministic (keys in
outline and form order, no dates), so the files can be committed and diffed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reportsmith.form import spec as formspec

from reportsmith.outline import headings as outline
from reportsmith.core.atomic import write_text
from reportsmith.registry.clusters import accounts
from reportsmith.checks import wording
from reportsmith.outline.report_input import (
    DATA_MARKER, DATA_SENTENCES_KEY, DISABLED_CHECKS_KEY, FREE_TOPIC, UNCLASSIFIED_KEY,
)
from reportsmith.report.scaffold import SCHEMA_FILES

DRAFT = "http://json-schema.org/draft-07/schema#"
_TEXT = {"type": "string", "description": "正文：在键后写“|”，换行后缩进书写；空一行为分段"}
_EMPTY = {"type": "null"}


def _section_schema(heading: outline.Heading) -> dict[str, Any]:
    desc = f"{heading.numbered}。附件3要求：{heading.requirement}"
    if heading.is_container:
        return {"description": desc + " 可写一段简短引言；内容写在（一）至（四）子标题下。", "anyOf": [_TEXT, _EMPTY]}
    topics: dict[str, Any] = {
        t.name: {"type": ["string", "null"], "description": f"内容项“{t.name}”；常用说法：{'、'.join(t.cues)}"}
        for t in heading.topics
    }
    topics[FREE_TOPIC] = {"type": ["string", "null"], "description": "不属于任何内容项的文字（引言、过渡）"}
    by_topic = {
        "type": "object",
        "description": "按内容项分别书写：这些内容项检查时记为已涉及",
        "properties": topics,
        "additionalProperties": False,
    }
    return {"description": f"{desc} 建议约 {heading.budget} 字。", "anyOf": [_TEXT, by_topic, _EMPTY]}


def report_schema() -> dict[str, Any]:
    """The JSON Schema of report.yaml."""
    sections: dict[str, Any] = {}
    for h in outline.headings():
        schema = _section_schema(h)
        sections[h.numbered] = schema
        sections[h.title] = schema
    title_names = [n for h in outline.headings() for n in (h.numbered, h.title)]
    return {
        "$schema": DRAFT,
        "title": "report.yaml（总结报告正文，按附件3提纲）",
        "type": "object",
        "additionalProperties": False,
        "required": ["cluster", "year"],
        "properties": {
            "cluster": {"type": "string", "enum": accounts(), "description": "附件1中的集群账号，如 whkjcyjq"},
            "year": {"type": "integer", "minimum": 2000, "maximum": 2100, "description": "报告所总结的年度，如 2024"},
            "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "报告日期（可选），YYYY-MM-DD，显示在题目下一行"},
            "no_highlights": {
                "type": "array",
                "items": {"type": "string", "enum": title_names},
                "description": "不自动插入数据句的标题（可选）",
            },
            DATA_SENTENCES_KEY: {
                "type": ["object", "null"],
                "description": "各标题的数据句开关（可选）：标题: 开 / 关；默认为开。"
                f"在正文中单独一行写 {DATA_MARKER} 可指定数据句印在哪里",
                "propertyNames": {"enum": title_names},
                "additionalProperties": {"enum": ["开", "关", True, False]},
            },
            "sections": {
                "type": ["object", "null"],
                "description": "各标题下的正文；标题须与附件3一致，可带“一、”“（一）”等序号",
                "properties": sections,
                "additionalProperties": False,
            },
            DISABLED_CHECKS_KEY: {
                "type": ["object", "null"],
                "description": "关闭本报告的某些文字检查（可选）：规则编号或规则族 → 关闭的理由；检查结果中会列出",
                "propertyNames": {"enum": [r.id for r in wording.rules()] + list(wording.families())},
                "additionalProperties": {"type": ["string", "null"]},
            },
            UNCLASSIFIED_KEY: {
                "type": ["object", "null"],
                "description": "尚未归入任何标题的文字（可选，reportsmith import 写入）：标签 → 文字；不会印入报告，检查时提示",
                "additionalProperties": {"type": ["string", "null"]},
            },
        },
    }


def _row_schema(row: formspec.FormRow) -> dict[str, Any]:
    kinds = {
        "count": ({"type": ["integer", "null"], "minimum": 0}, "非负整数"),
        "amount": ({"type": ["number", "null"], "minimum": 0}, "非负金额，可有小数"),
        "signed_amount": ({"type": ["number", "null"]}, "金额，可为负数"),
    }
    schema, kind_text = kinds[row.kind or "amount"]
    parts = [f"附件2：{row.label}", f"单位：{row.unit}" if row.unit else "", kind_text, "不填表示未填（不按 0 计算）"]
    return {**schema, "description": "；".join(p for p in parts if p)}


def form_schema() -> dict[str, Any]:
    """The JSON Schema of form.yaml: every row key (and its short alias) of 附件2."""
    rows: dict[str, Any] = {}
    for row in formspec.value_rows():
        assert row.key is not None
        rows[row.key] = _row_schema(row)
        if row.alias and row.alias != row.key:
            rows[row.alias] = {**_row_schema(row), "description": f"“{row.key}”的简称；" + _row_schema(row)["description"]}
    return {
        "$schema": DRAFT,
        "title": "form.yaml（创新型产业集群统计报表，附件2）",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "cluster": {"type": "string", "enum": accounts(), "description": "附件1中的集群账号"},
            "year": {"type": "integer", "minimum": 2000, "maximum": 2100, "description": "报表年度"},
            **rows,
            "previous": {
                "type": ["object", "null"],
                "description": "上年各指标数值（可选，用于计算同比），键与本年相同",
                "properties": rows,
                "additionalProperties": False,
            },
        },
    }


def evidence_schema() -> dict[str, Any]:
    """The JSON Schema of evidence.yaml, from the pydantic model that validates it."""
    from reportsmith.evidence.checklist import EvidenceInput

    schema = EvidenceInput.model_json_schema(by_alias=True)
    return {"$schema": DRAFT, **schema}


def schemas() -> dict[str, dict[str, Any]]:
    """File name → schema, for the three input files."""
    return {
        SCHEMA_FILES["report"]: report_schema(),
        SCHEMA_FILES["form"]: form_schema(),
        SCHEMA_FILES["evidence"]: evidence_schema(),
    }


def dumps(schema: dict[str, Any]) -> str:
    """Deterministic JSON text: Chinese kept readable, keys in outline and form order."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_schemas(out_dir: Path, only: str | None = None) -> list[Path]:
    """Write the schemas (or only the one of ``only``: report / form / evidence) into
    ``out_dir``, each atomically; return the paths written."""
    chosen = {SCHEMA_FILES[only]: schemas()[SCHEMA_FILES[only]]} if only else schemas()
    return [write_text(Path(out_dir) / name, dumps(schema)) for name, schema in chosen.items()]
