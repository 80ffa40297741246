"""JSON Schemas of the input files: complete, deterministic, and the demo files conform."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from reportsmith.form import spec as formspec

from reportsmith.outline import headings as outline
from reportsmith.cli import main
from reportsmith.registry.clusters import get_cluster
from reportsmith.outline.report_input import TOP_KEYS, UNCLASSIFIED_KEY
from reportsmith.report.schema import dumps, evidence_schema, form_schema, report_schema, schemas
from reportsmith.report.scaffold import SCHEMA_FILES, evidence_yaml_text, form_yaml_text, report_yaml_text, scaffold, schema_ref_for

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


def test_report_schema_knows_exactly_the_top_level_keys_of_the_loader() -> None:
    # The schema must not reject a key load_report accepts, nor offer one it refuses.
    assert set(report_schema()["properties"]) == set(TOP_KEYS)
    schema = report_schema()
    ok = {"cluster": "whkjcyjq", "year": 2024, UNCLASSIFIED_KEY: {"落款": "某某管委会"}}
    assert _errors(ok, schema, schema) == []


def test_committed_schemas_are_what_the_command_generates_now() -> None:
    """schemas/ ships with the repository for editors; it must never go stale.

    After changing the outline, the form rows or the evidence model, run
    ``reportsmith schema -o schemas`` in the repository root and commit the result.
    """
    committed = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "schemas").glob("*.json")}
    assert committed == {name: dumps(schema) for name, schema in schemas().items()}, (
        "schemas/ is stale: run `reportsmith schema -o schemas` in the repository root"
    )


# The YAML language server's modeline: a comment "# yaml-language-server: $schema=REF", where a
# relative REF is resolved against the folder of the YAML file itself.
_MODELINE = re.compile(r"^#\s+(?:yaml-language-server\s*:|\$schema:)")
_REF = re.compile(r"\$schema(?:=|:\s*)(\S+)")


@pytest.mark.parametrize("kind", list(SCHEMA_FILES))
def test_an_editor_resolves_the_schema_line_of_inputs_account(kind: str) -> None:
    """What ``reportsmith init ACCOUNT`` writes in the repository root points at the shipped schemas/."""
    folder = ROOT / "inputs" / "whkjcyjq"
    ref = schema_ref_for(folder, ROOT / "schemas")  # init's default --schema-dir, run in the repository root
    assert ref == "../../schemas"
    text = {"report": report_yaml_text, "form": form_yaml_text, "evidence": evidence_yaml_text}[kind](
        get_cluster("whkjcyjq"), 2024, ref
    )
    first = text.splitlines()[0]
    assert _MODELINE.match(first)
    (target,) = _REF.findall(first)
    resolved = Path(os.path.normpath(folder / target))
    assert resolved == ROOT / "schemas" / SCHEMA_FILES[kind]
    assert json.loads(resolved.read_text(encoding="utf-8")) == schemas()[SCHEMA_FILES[kind]]
