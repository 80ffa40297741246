"""佐证材料清单: the named lists against the form, entries, numbering, the naming rule, the Word appendix.

The checks of single files and the bundle are in test_evidencefiles.py.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from reportsmith.evidence import checklist as evidence
from reportsmith.core.errors import InputError, Severity
from reportsmith.form.data import FormData

ROOT = Path(__file__).resolve().parents[1]
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def make_folder(tmp_path: Path, yaml_text: str, files: dict[str, bytes] | None = None) -> Path:
    """A cluster folder with this evidence.yaml and these files (relative path → bytes)."""
    folder = tmp_path / "whkjcyjq"
    (folder / "evidence").mkdir(parents=True)
    (folder / "evidence.yaml").write_text(yaml_text, encoding="utf-8")
    for name, data in (files or {}).items():
        (folder / name).write_bytes(data)
    return folder


def _inst(name: str, category: str, level: str = "省级", file: str | None = "evidence/a.pdf") -> str:
    out = f"  - 名称: {name}\n    类别: {category}\n    级别: {level}\n"
    return out + (f"    文件: {file}\n" if file else "")


def _rules(checklist, rule: str):
    return [f for f in checklist.findings if f.rule == rule]


# --- reconciliation with the form -------------------------------------------------------

INCUBATORS = "机构:\n" + _inst("甲孵化器", "省级及以上科技企业孵化器") + _inst("乙孵化器", "省级及以上科技企业孵化器")


def test_counts_equal_give_no_count_finding(tmp_path):
    folder = make_folder(tmp_path, INCUBATORS, {"evidence/a.pdf": PDF})
    form = FormData({"省级及以上科技企业孵化器": 2, "国家级科技企业孵化器": 0, "创新服务机构数": 2})
    cl = evidence.build_checklist(folder, form)
    assert _rules(cl, "evidence.count_mismatch") == []
    assert [i.status for i in cl.items] == ["已附", "已附"]


def test_too_few_named_names_row_both_numbers_and_institutions(tmp_path):
    folder = make_folder(tmp_path, INCUBATORS, {"evidence/a.pdf": PDF})
    form = FormData({"省级及以上科技企业孵化器": 3, "创新服务机构数": 2})
    (f,) = _rules(evidence.build_checklist(folder, form), "evidence.count_mismatch")
    assert f.key == "省级及以上科技企业孵化器" and (f.measured, f.limit) == (2, 3)
    assert "填报 3 个，名单中列出 2 个：甲孵化器、乙孵化器" in f.message
    assert "补齐名单" in f.hint and f.severity == Severity.WARNING


def test_too_many_named_is_reported_against_row_and_total(tmp_path):
    folder = make_folder(tmp_path, INCUBATORS, {"evidence/a.pdf": PDF})
    form = FormData({"省级及以上科技企业孵化器": 1, "创新服务机构数": 1})
    found = {f.key: f for f in _rules(evidence.build_checklist(folder, form), "evidence.count_mismatch")}
    assert set(found) == {"省级及以上科技企业孵化器", "创新服务机构数"}
    assert (found["创新服务机构数"].measured, found["创新服务机构数"].limit) == (2, 1)
    assert "名单多于报表" in found["省级及以上科技企业孵化器"].hint


@pytest.mark.parametrize(
    "entry",
    [
        _inst("国家孵化器", "国家级科技企业孵化器", "国家级"),  # the "其中" row counts under its parent
        _inst("国家孵化器", "省级及以上科技企业孵化器", "国家级"),  # the parent row at 国家级 counts under the child
    ],
)
def test_national_incubator_counts_under_both_rows(tmp_path, entry):
    folder = make_folder(tmp_path, "机构:\n" + entry, {"evidence/a.pdf": PDF})
    form = FormData({"省级及以上科技企业孵化器": 1, "国家级科技企业孵化器": 1, "创新服务机构数": 1})
    assert _rules(evidence.build_checklist(folder, form), "evidence.count_mismatch") == []


def test_provincial_incubator_does_not_count_as_national(tmp_path):
    folder = make_folder(tmp_path, INCUBATORS, {"evidence/a.pdf": PDF})
    form = FormData({"省级及以上科技企业孵化器": 2, "国家级科技企业孵化器": 1, "创新服务机构数": 2})
    (f,) = _rules(evidence.build_checklist(folder, form), "evidence.count_mismatch")
    assert f.key == "国家级科技企业孵化器" and "名单中列出 0 个：（无）" in f.message


def test_unfilled_rows_are_said_so(tmp_path):
    folder = make_folder(tmp_path, INCUBATORS, {"evidence/a.pdf": PDF})
    cl = evidence.build_checklist(folder, FormData({"创新服务机构数": 2}))
    (named,) = _rules(cl, "evidence.count_unfilled")
    assert named.key == "省级及以上科技企业孵化器" and "未填" in named.message and "甲孵化器" in named.message
    (rest,) = _rules(cl, "evidence.count_not_filled")
    assert rest.severity == Severity.INFO and "院士工作站" in rest.message and "研发机构" in rest.message


def test_institution_of_no_listed_kind_counts_only_in_total(tmp_path):
    text = "机构:\n" + _inst("联合研发中心", "研发机构", "市级", None) + _inst("技术中心", "企业技术中心", "市级", None)
    folder = make_folder(tmp_path, text)
    form = FormData({"研发机构": 2, "企业技术中心": 1})
    cl = evidence.build_checklist(folder, form)
    assert _rules(cl, "evidence.count_mismatch") == []
    # Listed, as 附件2 asks for all of them, but 市级 needs no evidence.
    assert [(i.name, i.status) for i in cl.items] == [("技术中心", "不要求佐证"), ("联合研发中心", "不要求佐证")]
    assert not _rules(cl, "evidence.missing")


# --- entries of evidence.yaml -------------------------------------------------------------


def test_unknown_category_is_a_finding_with_line_and_did_you_mean(tmp_path):
    text = "机构:\n" + _inst("甲", "省级科技企业孵化器") + _inst("乙", "院士工作站", "部级")
    folder = make_folder(tmp_path, text, {"evidence/a.pdf": PDF})
    cl = evidence.build_checklist(folder, None)
    entry = _rules(cl, "evidence.entry")
    assert [(f.line, f.severity) for f in entry] == [(3, Severity.ERROR), (8, Severity.ERROR)]
    assert "省级科技企业孵化器" in entry[0].message and "是否想写“省级及以上科技企业孵化器”" in entry[0].message
    assert "级别“部级”无效" in entry[1].message
    with pytest.raises(InputError) as exc:
        evidence.load_evidence(folder)
    assert "有 2 处填写错误" in exc.value.message and "evidence.yaml:3" in exc.value.details[0]


def test_file_may_be_one_path_or_a_list(tmp_path):
    text = "规划:\n  - 名称: 《甲规划》\n    文件: [evidence/a.pdf, evidence/b.png]\n政策:\n  - 名称: 《乙措施》\n    文件: evidence/a.pdf\n"
    folder = make_folder(tmp_path, text, {"evidence/a.pdf": PDF, "evidence/b.png": PNG})
    ev = evidence.load_evidence(folder)
    assert ev.planning[0].files == ["evidence/a.pdf", "evidence/b.png"] and ev.policy[0].files == ["evidence/a.pdf"]
    cl = evidence.build_checklist(folder, None)
    assert [(i.seq, i.group, i.status, i.sizes) for i in cl.items] == [
        (1, "地方规划", "已附", [len(PDF), len(PNG)]),
        (2, "专项政策", "已附", [len(PDF)]),
    ]
    assert cl.items[0].sha256[1] == hashlib.sha256(PNG).hexdigest()


def test_items_numbered_in_group_order_and_city_level_without_file_listed_as_not_required(tmp_path):
    text = (
        "政策:\n  - 名称: 《措施》\n    文件: evidence/a.pdf\n规划:\n  - 名称: 《规划》\n    文件: evidence/a.pdf\n机构:\n"
        + _inst("实验室", "省级及以上重点实验室")
        + _inst("市级中心", "企业技术中心", "市级", None)
        + _inst("市级站", "院士工作站", "市级")
        + _inst("孵化器", "国家级科技企业孵化器", "国家级")
    )
    cl = evidence.build_checklist(make_folder(tmp_path, text, {"evidence/a.pdf": PDF}), None)
    assert [(i.seq, i.group, i.name) for i in cl.items] == [
        (1, "创新服务机构", "孵化器"),
        (2, "研发机构", "实验室"),
        (3, "研发机构", "市级中心"),
        (4, "研发机构", "市级站"),
        (5, "地方规划", "《规划》"),
        (6, "专项政策", "《措施》"),
    ]
    assert cl.items[2].status == "不要求佐证" and cl.items[3].status == "已附"  # a 市级 file is still checked
    assert cl.count_line == "应附 5 项，已附 5 项，缺失 0 项；另列市级及其他机构 1 项（不要求佐证）"


def test_required_item_without_file_is_missing(tmp_path):
    cl = evidence.build_checklist(make_folder(tmp_path, "机构:\n" + _inst("甲", "院士工作站", "省级", None)), None)
    assert (cl.items[0].status, cl.items[0].reason) == ("缺失", "未列出文件")
    (f,) = _rules(cl, "evidence.missing")
    assert f.line == 2 and "文件:" in f.hint


# --- report naming rule, absent file ----------------------------------------------------------

BOTH_LISTED = (
    "规划:\n  - 名称: 《甲市十四五规划纲要》\n    文件: evidence/a.pdf\n"
    "政策:\n  - 名称: 《关于支持乙产业的若干措施》\n    文件: evidence/a.pdf\n"
)


@pytest.mark.parametrize(
    ("text", "unnamed"),
    [
        ("集群已纳入地方发展规划，并出台了专项政策。", ["地方规划", "专项政策"]),
        ("集群已纳入《甲市十四五规划纲要》，出台《关于支持乙产业的若干措施》等专项政策。", []),
        ("集群已纳入《甲市十四五规划纲要》，并出台了专项政策。", ["专项政策"]),
        ("集群已列入全市重点产业规划。出台《关于支持乙产业的若干措施》。", ["地方规划"]),
        ("集群营商环境良好，人才引育机制健全。", []),  # claims neither: nothing to name
    ],
)
def test_report_must_name_the_planning_and_policy_documents_it_claims(tmp_path, text, unnamed):
    folder = make_folder(tmp_path, BOTH_LISTED, {"evidence/a.pdf": PDF})
    found = evidence.build_checklist(folder, None, {"（四）集群发展环境": text}).findings
    assert [f for f in found if f.rule != "evidence.report_names_document"] == []
    assert [f.message.rsplit("任何", 1)[1] for f in found] == [f"{g}文件的名称" for g in unnamed]
    assert all(f.key == "集群发展环境" and "《" in f.hint for f in found)


def test_naming_rule_reads_only_the_development_environment_heading(tmp_path):
    folder = make_folder(tmp_path, BOTH_LISTED, {"evidence/a.pdf": PDF})
    texts = {"一、集群总体情况": "集群已纳入地方发展规划，并出台了专项政策。"}
    assert evidence.build_checklist(folder, None, texts).findings == []


def test_claim_without_a_listed_document(tmp_path):
    folder = make_folder(tmp_path, "规划:\n  - 名称: 《甲市十四五规划纲要》\n    文件: evidence/a.pdf\n", {"evidence/a.pdf": PDF})
    texts = {"集群发展环境": "集群已纳入《甲市十四五规划纲要》，出台《关于支持乙产业的若干措施》等专项政策。"}
    (f,) = evidence.build_checklist(folder, None, texts).findings
    assert f.rule == "evidence.claim_without_evidence" and "没有列出专项政策文件" in f.message and "“政策”" in f.hint


def test_named_document_not_in_list_is_pointed_out(tmp_path):
    folder = make_folder(tmp_path, "规划:\n  - 名称: 《甲规划》\n    文件: evidence/a.pdf\n", {"evidence/a.pdf": PDF})
    texts = {"集群发展环境": "集群纳入《乙市产业发展规划》。"}
    (f,) = evidence.build_checklist(folder, None, texts).findings
    assert f.rule == "evidence.named_not_listed" and "《乙市产业发展规划》" in f.message


def test_absent_evidence_yaml_with_institutions_in_form(tmp_path):
    cl = evidence.build_checklist(tmp_path, FormData({"创新服务机构数": 3, "研发机构": 2}))
    assert cl.items == [] and evidence.load_evidence(tmp_path) is None
    (f,) = _rules(cl, "evidence.absent")
    assert f.severity == Severity.WARNING and "共填报 5 个机构" in f.message


# --- demo data and schema --------------------------------------------------------------------------

DEMOS = ["whkjcyjq", "ycswcyjq", "szxgcyjq"]


@pytest.mark.parametrize("account", DEMOS)
def test_demo_lists_reconcile_with_demo_forms_and_reports(account):
    from reportsmith.report.pipeline import assemble

    cl = assemble(ROOT / "inputs" / account).checklist  # with the demo form and report texts
    problems = [f for f in cl.findings if f.is_problem and f.rule != "evidence.missing"]
    assert problems == []
    assert all(i.status in ("已附", "缺失", "不要求佐证") for i in cl.items)


def test_demo_shows_exactly_one_gap():
    items = [i for a in DEMOS for i in evidence.build_checklist(ROOT / "inputs" / a, None).items]
    assert [(i.name, i.status, i.reason) for i in items if i.missing] == [("湖北省医用材料工程技术研究中心", "缺失", "文件不存在")]


def test_json_schema_lists_categories_and_levels():
    schema = evidence.EvidenceInput.model_json_schema()
    inst = schema["$defs"]["Institution"]["properties"]
    assert "国家级科技企业孵化器" in inst["类别"]["enum"] and inst["级别"]["enum"] == ["国家级", "省级", "市级", "其他"]
    assert set(schema["properties"]) >= {"机构", "规划", "政策"}


# --- the appendix of the built report ------------------------------------------------------------

HEADER = ["序号", "类别", "名称", "级别", "文号", "佐证材料", "状态"]


def _appendix(docx_path: Path) -> tuple[list[list[str]], list[str]]:
    """The rows of the 佐证材料清单 table below its header, and every body paragraph."""
    import docx

    document = docx.Document(str(docx_path))
    (table,) = [t for t in document.tables if [c.text for c in t.rows[0].cells] == HEADER]
    return [[c.text for c in row.cells] for row in table.rows[1:]], [p.text for p in document.paragraphs]


def _expected_rows(checklist) -> list[list[str]]:
    expected: list[list[str]] = []
    for group, items in checklist.row_groups():
        expected.append([group] * 7)  # the title row (group, and the form row it counts toward) spans the table
        expected += [
            [str(i.seq), i.category, i.name, i.level, i.doc_no, "\n".join(i.shown_files or i.files), i.status_text] for i in items
        ] or [["（无）"] * 7]
    return expected


@pytest.mark.parametrize(("account", "count_line"), [("whkjcyjq", "应附 12 项，已附 12 项，缺失 0 项；另列市级及其他机构 4 项（不要求佐证）"),
                                                     ("ycswcyjq", "应附 17 项，已附 16 项，缺失 1 项；另列市级及其他机构 2 项（不要求佐证）")])
def test_built_appendix_table_of_the_demos_equals_the_checklist(tmp_path, account, count_line):
    from reportsmith.report import build
    result = build.build(ROOT / "inputs" / account, tmp_path)
    rows, paragraphs = _appendix(result.docx)
    checklist = result.assembled.checklist
    assert rows == _expected_rows(checklist) and checklist.count_line == count_line and count_line in paragraphs


def test_built_appendix_shows_every_cell_as_written(tmp_path):
    """Every cell of the Word table read back, against values written out by hand: text that
    looks like markup, several files, 缺失 and 无效 with their reasons, an empty group."""
    from reportsmith.report import build
    folder = tmp_path / "whkjcyjq"
    shutil.copytree(ROOT / "inputs" / "whkjcyjq", folder, ignore=shutil.ignore_patterns("evidence*"))
    (folder / "evidence").mkdir()
    (folder / "evidence" / "a.pdf").write_bytes(PDF)
    (folder / "evidence" / "t.pdf").write_text("只是文字", encoding="utf-8")
    (folder / "evidence.yaml").write_text(
        "机构:\n"
        "  - 名称: 'A&B <孵化器> \"{{ 营业收入 }}\"'\n    类别: 国家级科技企业孵化器\n    级别: 国家级\n"
        "    文号: 国科发区〔2023〕12号\n    文件: [evidence/a.pdf, evidence\\a.pdf]\n"
        "  - 名称: 乙重点实验室\n    类别: 省级及以上重点实验室\n    级别: 省级\n    文件: evidence/t.pdf\n"
        "  - 名称: 丙研究院\n    类别: 研究院所\n    级别: 市级\n"
        "规划:\n  - 名称: 《丙规划》\n    文件: evidence/none.pdf\n"
        "政策:\n  - 名称: 《丁措施》\n",
        encoding="utf-8",
    )
    result = build.build(folder, tmp_path / "out", bundle=True)
    rows, paragraphs = _appendix(result.docx)
    bundled = "佐证材料/01-A&B _孵化器_ _{{ 营业收入 }}-1.pdf\n佐证材料/01-A&B _孵化器_ _{{ 营业收入 }}-2.pdf"
    assert rows == [
        ["创新服务机构：国家级科技企业孵化器"] * 7,
        ["1", "国家级科技企业孵化器", 'A&B <孵化器> "{{ 营业收入 }}"', "国家级", "国科发区〔2023〕12号", bundled, "已附"],
        ["研发机构：研究院所"] * 7,
        ["2", "研究院所", "丙研究院", "市级", "", "", "不要求佐证"],
        ["研发机构：省级及以上重点实验室"] * 7,
        ["3", "省级及以上重点实验室", "乙重点实验室", "省级", "", "evidence/t.pdf", "无效：扩展名为 .pdf，但内容不是 PDF"],
        ["地方规划"] * 7,
        ["4", "地方规划", "《丙规划》", "", "", "evidence/none.pdf", "缺失：文件不存在"],
        ["专项政策"] * 7,
        ["5", "专项政策", "《丁措施》", "", "", "", "缺失：未列出文件"],
    ]
    assert "应附 4 项，已附 1 项，缺失 3 项；另列市级及其他机构 1 项（不要求佐证）" in paragraphs
    assert rows == _expected_rows(result.assembled.checklist)
    bundle = tmp_path / "out" / "whkjcyjq" / "佐证材料"
    assert sorted(p.name for p in bundle.iterdir()) == ["01-A&B _孵化器_ _{{ 营业收入 }}-1.pdf", "01-A&B _孵化器_ _{{ 营业收入 }}-2.pdf"]


def test_an_empty_group_reads_none_in_the_appendix(tmp_path):
    from reportsmith.report import build
    folder = tmp_path / "whkjcyjq"
    shutil.copytree(ROOT / "inputs" / "whkjcyjq", folder, ignore=shutil.ignore_patterns("evidence*"))
    (folder / "evidence").mkdir()
    (folder / "evidence" / "a.pdf").write_bytes(PDF)
    (folder / "evidence.yaml").write_text("规划:\n  - 名称: 《丙规划》\n    文件: evidence/a.pdf\n", encoding="utf-8")
    rows, paragraphs = _appendix(build.build(folder, tmp_path / "out").docx)
    assert rows == [["创新服务机构"] * 7, ["（无）"] * 7, ["研发机构"] * 7, ["（无）"] * 7, ["地方规划"] * 7,
                    ["1", "地方规划", "《丙规划》", "", "", "evidence/a.pdf", "已附"], ["专项政策"] * 7, ["（无）"] * 7]
    assert "应附 1 项，已附 1 项，缺失 0 项" in paragraphs


def test_entry_that_is_not_a_mapping_and_foreign_cluster(tmp_path):
    folder = make_folder(tmp_path, "cluster: ycswcyjq\n机构:\n  - 光谷孵化器\n")
    cl = evidence.build_checklist(folder, FormData(cluster="whkjcyjq"))
    entry = _rules(cl, "evidence.entry")
    assert [(f.line, f.message) for f in entry] == [(3, "“机构”第 1 项：应为键值对")]
    assert _rules(cl, "evidence.cluster")[0].key == "cluster"


def test_an_empty_list_against_a_form_with_institutions_is_one_warning():
    from reportsmith.evidence.rules import reconcile
    from reportsmith.form.data import FormData

    form = FormData(values={"创新服务机构数": 20, "省级及以上科技企业孵化器": 2, "研发机构": 13, "院士工作站": 2})
    findings = reconcile([], form, file="evidence.yaml")
    assert [f.rule for f in findings] == ["evidence.list_empty"]
    assert "创新服务机构数 20 个、研发机构 13 个" in findings[0].message
    assert findings[0].limit == 33
