"""The 佐证材料清单 lists every institution the writer listed (市级/其他 too), grouped by the
form row it counts toward, with its level; its file column names each file as the reader
will find it (the bundle name when the evidence is bundled)."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import yaml

from reportsmith.report.build import BUNDLE_DIR, build

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "inputs" / "whkjcyjq"


def _checklist_rows(path: Path) -> list[list[str]]:
    """The rows of the last table (附件2 佐证材料清单) as cell texts, merged rows once."""
    table = docx.Document(str(path)).tables[-1]
    rows = []
    for row in table.rows:
        cells = [c.text for c in row.cells]
        rows.append(cells if len(set(cells)) > 1 else cells[:1])
    return rows


def _listed(folder: Path) -> list[dict]:
    return yaml.safe_load((folder / "evidence.yaml").read_text(encoding="utf-8"))["机构"]


def test_every_listed_institution_is_in_the_appendix_with_its_level(tmp_path):
    folder = shutil.copytree(DEMO, tmp_path / "whkjcyjq")
    result = build(folder, tmp_path / "out")
    rows = _checklist_rows(result.docx)
    by_name = {r[2]: r for r in rows if len(r) == 7 and r[0].isdigit()}
    for inst in _listed(folder):
        row = by_name[inst["名称"]]
        assert row[1] == inst["类别"] and row[3] == inst["级别"]
    assert by_name["东湖高新区科技服务生产力促进中心"][6] == "不要求佐证"  # 市级, no file: listed, not missing
    # Grouped by the form row it counts toward: a header line per row, its institutions below it.
    headers = [r[0] for r in rows if len(r) == 1]
    assert "创新服务机构：生产力促进中心" in headers
    i = next(k for k, r in enumerate(rows) if r == ["创新服务机构：生产力促进中心"])
    j = next(k for k, r in enumerate(rows) if k > i and len(r) == 1)
    assert {r[1] for r in rows[i + 1 : j]} == {"生产力促进中心"} and len(rows[i + 1 : j]) == 2
    # The count line counts what has to be attached, and names the others.
    assert any("不要求佐证" in p.text and "应附" in p.text for p in docx.Document(str(result.docx)).paragraphs)
    assert not [f for f in result.assembled.checklist.findings if "东湖高新区科技服务生产力促进中心" in f.message]


def test_the_file_column_names_the_bundled_file(tmp_path):
    plain = build(DEMO, tmp_path / "plain")
    files = {r[2]: r[5] for r in _checklist_rows(plain.docx) if len(r) == 7 and r[0].isdigit()}
    assert files["光谷地球空间信息科技企业孵化器"] == "evidence/孵化器认定文件.pdf"
    bundled = build(DEMO, tmp_path / "bundled", bundle=True)
    names = {p.name for p in bundled.bundle}
    rows = [r for r in _checklist_rows(bundled.docx) if len(r) == 7 and r[0].isdigit()]
    shown = {r[2]: r[5] for r in rows}
    assert shown["光谷地球空间信息科技企业孵化器"].startswith(f"{BUNDLE_DIR}/")
    for r in rows:
        if r[6] == "已附":
            for line in r[5].split("\n"):
                assert line.startswith(f"{BUNDLE_DIR}/") and line.split("/", 1)[1] in names
                assert (bundled.docx.parent / line).is_file()
    assert "东湖高新区科技服务生产力促进中心" in shown and shown["东湖高新区科技服务生产力促进中心"] == ""
