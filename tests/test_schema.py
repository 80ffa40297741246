"""JSON Schemas of the input files: complete, deterministic, and the demo files conform."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from reportsmith import formspec, outline
from reportsmith.cli import main
from reportsmith.schema import evidence_schema, form_schema, report_schema, schemas
from reportsmith.scaffold import scaffold

ROOT = Path(__file__).resolve().parents[1]
DEMOS = ["whkjcyjq", "ycswcyjq", "szxgcyjq"]
_TYPES = {"string": str, "integer": int, "number": (int, float), "object": dict, "array": list, "null": type(None), "boolean": bool}


def _errors(value: Any, schema: dict, root: dict, path: str = "") -> list[str]:
    """A small JSON Schema validator for the keywords these schemas use."""
    if "$ref" in schema:
        node = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        return _errors(value, node, root, path)
    if "anyOf" in schema:
        options = [_errors(value, s, root, path) for s in schema["anyOf"]]
        return [] if any(not o for o in options) else [f"{path}: no anyOf branch matches"]
    errs = []
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(isinstance(value, _TYPES[t]) and not (t in ("integer", "number") and isinstance(value, bool)) for t in types)
        if not ok:
            return [f"{path}: {value!r} is not {types}"]
    if "enum" in schema and value not in schema["enum"]:
        errs.append(f"{path}: {value!r} not in enum")
    if isinstance(value, (int, float)) and "minimum" in schema and value < schema["minimum"]:
        errs.append(f"{path}: below minimum")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for req in schema.get("required", []):
            if req not in value:
                errs.append(f"{path}: missing {req}")
        for k, v in value.items():
            if k in props:
                errs += _errors(v, props[k], root, f"{path}/{k}")
            elif schema.get("additionalProperties") is False:
                errs.append(f"{path}: unknown key {k}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errs += _errors(item, schema["items"], root, f"{path}/{i}")
    return errs


def _load(path: Path) -> Any:
    # The language server reads an unquoted date as a string.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "date" in data:
        data["date"] = str(data["date"])
    return data


def test_report_schema_knows_every_heading_and_topic() -> None:
    props = report_schema()["properties"]["sections"]["properties"]
    for h in outline.headings():
        assert h.numbered in props and h.title in props
        assert h.requirement in props[h.title]["description"]
        if h.topics:
            by_topic = next(o for o in props[h.title]["anyOf"] if o["type"] == "object")
            assert [t.name for t in h.topics] == list(by_topic["properties"])[: len(h.topics)]


def test_form_schema_has_every_row_with_type_and_unit() -> None:
    props = form_schema()["properties"]
    for row in formspec.value_rows():
        desc = props[row.key]["description"]
        assert f"单位：{row.unit}" in desc
        assert props[row.key]["type"][0] == ("integer" if row.kind == "count" else "number")
    assert props["previous"]["properties"].keys() == {k: 0 for k in props if k not in ("cluster", "year", "previous")}.keys()


@pytest.mark.parametrize("account", DEMOS)
def test_demo_files_conform(account: str) -> None:
    folder = ROOT / "inputs" / account
    for name, schema in (("report.yaml", report_schema()), ("form.yaml", form_schema()), ("evidence.yaml", evidence_schema())):
        assert _errors(_load(folder / name), schema, schema) == [], name


def test_schema_catches_a_typo() -> None:
    schema = report_schema()
    bad = {"cluster": "whkjcyjq", "year": 2024, "sections": {"集群发展成就": "x", "集群总体情况": 3}}
    assert len(_errors(bad, schema, schema)) == 2


def test_fresh_scaffold_conforms(tmp_path: Path) -> None:
    scaffold("whkjcyjq", tmp_path)
    folder = tmp_path / "whkjcyjq"
    for name, schema in (("report.yaml", report_schema()), ("form.yaml", form_schema()), ("evidence.yaml", evidence_schema())):
        assert _errors(_load(folder / name), schema, schema) == [], name


def test_cli_writes_deterministic_files_that_the_scaffold_points_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["schema", "-o", "schemas"]) == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "schemas").iterdir()}
    assert set(first) == set(schemas())
    assert main(["schema", "-o", "schemas"]) == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "schemas").iterdir()} == first
    assert main(["init", "whkjcyjq"]) == 0
    line = (tmp_path / "inputs/whkjcyjq/report.yaml").read_text(encoding="utf-8").splitlines()[0]
    ref = line.split("$schema=", 1)[1]
    target = (tmp_path / "inputs/whkjcyjq" / ref).resolve()
    assert json.loads(target.read_text(encoding="utf-8"))["title"].startswith("report.yaml")


def test_cli_prints_one_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--only", "evidence"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "机构" in data["properties"]
