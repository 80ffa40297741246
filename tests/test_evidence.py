"""佐证材料: the named lists against the form, file checks, numbering and the bundle."""

from __future__ import annotations

import hashlib
import os
import sys
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from reportsmith import evidence
from reportsmith.errors import InputError, Severity
from reportsmith.evidencefiles import safe_name
from reportsmith.formdata import FormData

ROOT = Path(__file__).resolve().parents[1]
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

# Every file opened by this process while recording, seen through the interpreter's own
# audit events: proves that refused files are never read.
_OPENED: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if _OPENED is not None and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


class _Recorder:
    """Call ``start()`` once the test's own files are written; ``names`` are the opened basenames."""

    def start(self) -> None:
        global _OPENED
        _OPENED = []

    @property
    def names(self) -> list[str]:
        return [os.path.basename(p) for p in _OPENED or []]


@pytest.fixture
def opened():
    global _OPENED
    yield _Recorder()
    _OPENED = None


def _zip(*members: str) -> bytes:
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for m in members:
            zf.writestr(m, "<x/>")
    return buf.getvalue()


def _folder(tmp_path: Path, yaml_text: str, files: dict[str, bytes] | None = None) -> Path:
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
    folder = _folder(tmp_path, INCUBATORS, {"evidence/a.pdf": PDF})
    form = FormData({"省级及以上科技企业孵化器": 2, "国家级科技企业孵化器": 0, "创新服务机构数": 2})
    cl = evidence.build_checklist(folder, form)
    assert _rules(cl, "evidence.count_mismatch") == []
    assert [i.status for i in cl.items] == ["已附", "已附"]


def test_too_few_named_names_row_both_numbers_and_institutions(tmp_path):
    folder = _folder(tmp_path, INCUBATORS, {"evidence/a.pdf": PDF})
    form = FormData({"省级及以上科技企业孵化器": 3, "创新服务机构数": 2})
    (f,) = _rules(evidence.build_checklist(folder, form), "evidence.count_mismatch")
    assert f.key == "省级及以上科技企业孵化器" and (f.measured, f.limit) == (2, 3)
    assert "填报 3 个，名单中列出 2 个：甲孵化器、乙孵化器" in f.message
    assert "补齐名单" in f.hint and f.severity == Severity.WARNING


def test_too_many_named_is_reported_against_row_and_total(tmp_path):
    folder = _folder(tmp_path, INCUBATORS, {"evidence/a.pdf": PDF})
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
    folder = _folder(tmp_path, "机构:\n" + entry, {"evidence/a.pdf": PDF})
    form = FormData({"省级及以上科技企业孵化器": 1, "国家级科技企业孵化器": 1, "创新服务机构数": 1})
    assert _rules(evidence.build_checklist(folder, form), "evidence.count_mismatch") == []


def test_provincial_incubator_does_not_count_as_national(tmp_path):
    folder = _folder(tmp_path, INCUBATORS, {"evidence/a.pdf": PDF})
    form = FormData({"省级及以上科技企业孵化器": 2, "国家级科技企业孵化器": 1, "创新服务机构数": 2})
    (f,) = _rules(evidence.build_checklist(folder, form), "evidence.count_mismatch")
    assert f.key == "国家级科技企业孵化器" and "名单中列出 0 个：（无）" in f.message


def test_unfilled_rows_are_said_so(tmp_path):
    folder = _folder(tmp_path, INCUBATORS, {"evidence/a.pdf": PDF})
    cl = evidence.build_checklist(folder, FormData({"创新服务机构数": 2}))
    (named,) = _rules(cl, "evidence.count_unfilled")
    assert named.key == "省级及以上科技企业孵化器" and "未填" in named.message and "甲孵化器" in named.message
    (rest,) = _rules(cl, "evidence.count_not_filled")
    assert rest.severity == Severity.INFO and "院士工作站" in rest.message and "研发机构" in rest.message


def test_institution_of_no_listed_kind_counts_only_in_total(tmp_path):
    text = "机构:\n" + _inst("联合研发中心", "研发机构", "市级", None) + _inst("技术中心", "企业技术中心", "市级", None)
    folder = _folder(tmp_path, text)
    form = FormData({"研发机构": 2, "企业技术中心": 1})
    cl = evidence.build_checklist(folder, form)
    assert _rules(cl, "evidence.count_mismatch") == [] and cl.items == []


# --- entries of evidence.yaml -------------------------------------------------------------


def test_unknown_category_is_a_finding_with_line_and_did_you_mean(tmp_path):
    text = "机构:\n" + _inst("甲", "省级科技企业孵化器") + _inst("乙", "院士工作站", "部级")
    folder = _folder(tmp_path, text, {"evidence/a.pdf": PDF})
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
    folder = _folder(tmp_path, text, {"evidence/a.pdf": PDF, "evidence/b.png": PNG})
    ev = evidence.load_evidence(folder)
    assert ev.planning[0].files == ["evidence/a.pdf", "evidence/b.png"] and ev.policy[0].files == ["evidence/a.pdf"]
    cl = evidence.build_checklist(folder, None)
    assert [(i.seq, i.group, i.status, i.sizes) for i in cl.items] == [
        (1, "地方规划", "已附", [len(PDF), len(PNG)]),
        (2, "专项政策", "已附", [len(PDF)]),
    ]
    assert cl.items[0].sha256[1] == hashlib.sha256(PNG).hexdigest()


def test_items_numbered_in_group_order_and_city_level_without_file_left_out(tmp_path):
    text = (
        "政策:\n  - 名称: 《措施》\n    文件: evidence/a.pdf\n规划:\n  - 名称: 《规划》\n    文件: evidence/a.pdf\n机构:\n"
        + _inst("实验室", "省级及以上重点实验室")
        + _inst("市级中心", "企业技术中心", "市级", None)
        + _inst("市级站", "院士工作站", "市级")
        + _inst("孵化器", "国家级科技企业孵化器", "国家级")
    )
    cl = evidence.build_checklist(_folder(tmp_path, text, {"evidence/a.pdf": PDF}), None)
    assert [(i.seq, i.group, i.name) for i in cl.items] == [
        (1, "创新服务机构", "孵化器"),
        (2, "研发机构", "实验室"),
        (3, "研发机构", "市级站"),
        (4, "地方规划", "《规划》"),
        (5, "专项政策", "《措施》"),
    ]
    assert cl.count_line == "应附 5 项，已附 5 项，缺失 0 项"


def test_required_item_without_file_is_missing(tmp_path):
    cl = evidence.build_checklist(_folder(tmp_path, "机构:\n" + _inst("甲", "院士工作站", "省级", None)), None)
    assert (cl.items[0].status, cl.items[0].reason) == ("缺失", "未列出文件")
    (f,) = _rules(cl, "evidence.missing")
    assert f.line == 2 and "文件:" in f.hint


# --- file checks ----------------------------------------------------------------------------


def _one(tmp_path, written: str, files: dict[str, bytes] | None = None, **kw):
    text = f"政策:\n  - 名称: 《措施》\n    文件: {written}\n"
    cl = evidence.build_checklist(_folder(tmp_path, text, files), None, **kw)
    return cl.items[0], cl.findings


def test_missing_file(tmp_path):
    item, findings = _one(tmp_path, "evidence/没有.pdf")
    assert (item.status, item.reason) == ("缺失", "evidence/没有.pdf：文件不存在")
    assert any(f.rule == "evidence.missing" and f.line == 2 for f in findings)


def test_empty_file_is_invalid(tmp_path):
    item, findings = _one(tmp_path, "evidence/a.pdf", {"evidence/a.pdf": b""})
    assert item.status == "无效" and "空文件" in item.reason
    assert any(f.rule == "evidence.invalid" and f.severity == Severity.ERROR for f in findings)


def test_oversize_file_is_invalid_and_not_read(tmp_path, opened):
    folder = _folder(tmp_path, "政策:\n  - 名称: 《措施》\n    文件: evidence/a.pdf\n", {"evidence/a.pdf": PDF + b"x" * 100})
    opened.start()
    item = evidence.build_checklist(folder, None, max_bytes=64).items[0]
    assert item.status == "无效" and "超过上限" in item.reason and item.sha256 == [""]
    assert opened.names == ["evidence.yaml"]


def test_text_file_named_pdf_is_invalid(tmp_path):
    item, _ = _one(tmp_path, "evidence/a.pdf", {"evidence/a.pdf": "这不是PDF，只是文字。\n".encode()})
    assert item.status == "无效" and "扩展名为 .pdf，但内容不是 PDF" in item.reason


def test_png_named_pdf_is_invalid(tmp_path):
    item, _ = _one(tmp_path, "evidence/a.pdf", {"evidence/a.pdf": PNG})
    assert item.status == "无效" and "内容是 PNG" in item.reason and ".png" in item.reason


def test_truncated_pdf_is_invalid(tmp_path):
    item, _ = _one(tmp_path, "evidence/a.pdf", {"evidence/a.pdf": PDF[:40]})
    assert item.status == "无效" and "%%EOF" in item.reason


@pytest.mark.parametrize(
    ("name", "members", "ok"),
    [
        ("a.docx", ["[Content_Types].xml", "word/document.xml"], True),
        ("a.xlsx", ["xl/workbook.xml"], True),
        ("a.ofd", ["OFD.xml", "Doc_0/Document.xml"], True),
        ("a.docx", ["xl/workbook.xml"], False),
        ("a.ofd", ["readme.txt"], False),
    ],
)
def test_zip_based_types_recognised_by_their_members(tmp_path, name, members, ok):
    item, _ = _one(tmp_path, f"evidence/{name}", {f"evidence/{name}": _zip(*members)})
    assert (item.status == "已附") is ok


def test_jpeg_accepted_under_jpg_and_jpeg(tmp_path):
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 20
    item, _ = _one(tmp_path, "evidence/a.JPG", {"evidence/a.JPG": jpeg})
    assert item.status == "已附"


def test_parent_path_and_absolute_path_are_refused_and_not_read(tmp_path, opened):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(PDF)
    opened.start()
    cases = [("../../secret.pdf", "“..”"), (str(secret), "绝对路径"), ("evidence/../../../secret.pdf", "“..”")]
    for n, (written, words) in enumerate(cases):
        item, _ = _one(tmp_path / str(n), written)
        assert item.status == "无效" and words in item.reason and "已拒绝读取" in item.reason
    assert "secret.pdf" not in opened.names


def test_symlink_leading_outside_is_refused_and_not_read(tmp_path, opened):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(PDF)
    folder = _folder(tmp_path, "政策:\n  - 名称: 《措施》\n    文件: evidence/link.pdf\n")
    (folder / "evidence" / "link.pdf").symlink_to(secret)
    (folder / "sub").symlink_to(tmp_path)  # a linked directory leads out just the same
    opened.start()
    cl = evidence.build_checklist(folder, None)
    assert cl.items[0].status == "无效" and "符号链接" in cl.items[0].reason
    with open(folder / "evidence.yaml", "a", encoding="utf-8") as fh:
        fh.write("  - 名称: 《另一措施》\n    文件: sub/secret.pdf\n")
    cl = evidence.build_checklist(folder, None)
    assert cl.items[1].status == "无效" and "符号链接" in cl.items[1].reason
    assert set(opened.names) == {"evidence.yaml"}


def test_symlink_inside_the_folder_is_fine(tmp_path):
    folder = _folder(tmp_path, "政策:\n  - 名称: 《措施》\n    文件: evidence/link.pdf\n", {"evidence/a.pdf": PDF})
    (folder / "evidence" / "link.pdf").symlink_to(folder / "evidence" / "a.pdf")
    assert evidence.build_checklist(folder, None).items[0].status == "已附"


# --- report naming rule, absent file ----------------------------------------------------------


def test_report_claiming_planning_must_name_a_document(tmp_path):
    folder = _folder(tmp_path, "规划:\n  - 名称: 《甲市十四五规划纲要》\n    文件: evidence/a.pdf\n", {"evidence/a.pdf": PDF})
    texts = {"（四）集群发展环境": "集群已纳入地方发展规划，并出台了专项政策。"}
    found = [(f.rule, f.message) for f in evidence.build_checklist(folder, None, texts).findings]
    assert [r for r, _ in found] == ["evidence.report_names_document"] * 2 + ["evidence.claim_without_evidence"]
    assert "写到“纳入地方发展规划”" in found[0][1] and "地方规划文件" in found[0][1]
    assert "写到“专项政策”" in found[1][1] and "没有列出专项政策文件" in found[2][1]
    texts = {"集群发展环境": "集群已纳入《甲市十四五规划纲要》。"}
    assert evidence.build_checklist(folder, None, texts).findings == []


def test_named_document_not_in_list_is_pointed_out(tmp_path):
    folder = _folder(tmp_path, "规划:\n  - 名称: 《甲规划》\n    文件: evidence/a.pdf\n", {"evidence/a.pdf": PDF})
    texts = {"集群发展环境": "集群纳入《乙市产业发展规划》。"}
    (f,) = evidence.build_checklist(folder, None, texts).findings
    assert f.rule == "evidence.named_not_listed" and "《乙市产业发展规划》" in f.message


def test_absent_evidence_yaml_with_institutions_in_form(tmp_path):
    cl = evidence.build_checklist(tmp_path, FormData({"创新服务机构数": 3, "研发机构": 2}))
    assert cl.items == [] and evidence.load_evidence(tmp_path) is None
    (f,) = _rules(cl, "evidence.absent")
    assert f.severity == Severity.WARNING and "共填报 5 个机构" in f.message


# --- bundle -------------------------------------------------------------------------------------


def test_bundle_files_renamed_by_number_and_replaced_as_a_whole(tmp_path):
    text = "机构:\n" + _inst("光谷/创业:孵化器", "省级及以上科技企业孵化器") + "规划:\n  - 名称: 《甲规划》\n    文件: [evidence/a.pdf, evidence/b.png]\n"
    text += "政策:\n  - 名称: 《缺》\n    文件: evidence/none.pdf\n"
    folder = _folder(tmp_path, text, {"evidence/a.pdf": PDF, "evidence/b.png": PNG})
    dest = tmp_path / "out" / "佐证材料"
    dest.mkdir(parents=True)
    (dest / "99-旧文件.pdf").write_bytes(b"old")
    paths = evidence.write_bundle(evidence.build_checklist(folder, None), folder, dest)
    assert [p.name for p in paths] == ["01-光谷_创业_孵化器.pdf", "02-甲规划-1.pdf", "02-甲规划-2.png"]
    assert sorted(p.name for p in dest.iterdir()) == sorted(p.name for p in paths)
    assert (dest / "02-甲规划-2.png").read_bytes() == PNG
    assert not [p for p in dest.parent.iterdir() if p.name.startswith(".")]


def test_bundle_refuses_a_file_changed_after_the_check_and_keeps_the_old_bundle(tmp_path):
    folder = _folder(tmp_path, "政策:\n  - 名称: 《措施》\n    文件: evidence/a.pdf\n", {"evidence/a.pdf": PDF})
    dest = tmp_path / "out" / "佐证材料"
    checklist = evidence.build_checklist(folder, None)
    evidence.write_bundle(checklist, folder, dest)
    (folder / "evidence" / "a.pdf").write_bytes(PDF + b"\n% changed\n")
    with pytest.raises(InputError, match="SHA-256"):
        evidence.write_bundle(checklist, folder, dest)
    assert (dest / "01-措施.pdf").read_bytes() == PDF
    assert not [p for p in dest.parent.iterdir() if p.name.startswith(".")]


def test_safe_name_removes_separators_and_reserved_characters():
    assert safe_name('《a/b\\c:d*e?f"g<h>i|j》') == "a_b_c_d_e_f_g_h_i_j"
    assert safe_name("  ..  ") == "材料"
    assert len(safe_name("长" * 200)) == 60


# --- demo data and schema --------------------------------------------------------------------------

DEMOS = ["whkjcyjq", "ycswcyjq", "szxgcyjq"]


@pytest.mark.parametrize("account", DEMOS)
def test_demo_lists_reconcile_with_demo_forms(account):
    from reportsmith.form import load_form

    folder = ROOT / "inputs" / account
    form, _ = load_form(folder / "form.yaml")
    cl = evidence.build_checklist(folder, form)
    problems = [f for f in cl.findings if f.is_problem and f.rule != "evidence.missing"]
    assert problems == []
    assert all(i.status in ("已附", "缺失") for i in cl.items)


def test_demo_shows_exactly_one_gap():
    items = [i for a in DEMOS for i in evidence.build_checklist(ROOT / "inputs" / a, None).items]
    assert [i.name for i in items if i.status != "已附"] == ["湖北省医用材料工程技术研究中心"]


def test_json_schema_lists_categories_and_levels():
    schema = evidence.EvidenceInput.model_json_schema()
    inst = schema["$defs"]["Institution"]["properties"]
    assert "国家级科技企业孵化器" in inst["类别"]["enum"] and inst["级别"]["enum"] == ["国家级", "省级", "市级", "其他"]
    assert set(schema["properties"]) >= {"机构", "规划", "政策"}


# --- the appendix of the built report ------------------------------------------------------------


def _read_docx(docx_path: Path):
    import docx

    return docx.Document(str(docx_path))


def _appendix_rows(docx_path: Path) -> list[list[str]]:
    document = _read_docx(docx_path)
    header = ["序号", "类别", "名称", "级别", "文号", "佐证材料", "状态"]
    (table,) = [t for t in document.tables if [c.text for c in t.rows[0].cells] == header]
    return [[c.text for c in row.cells] for row in table.rows[1:]]


@pytest.mark.parametrize("account", ["whkjcyjq", "ycswcyjq"])
def test_built_appendix_table_equals_the_checklist(tmp_path, account):
    from reportsmith import build

    result = build.build(ROOT / "inputs" / account, tmp_path, bundle=True)
    checklist = result.assembled.checklist
    expected: list[list[str]] = []
    for group, items in checklist.groups():
        expected.append([group] * 7)  # the group's title row spans the table
        expected += [
            [str(i.seq), i.category, i.name, i.level, i.doc_no, "\n".join(i.files), i.status_text] for i in items
        ] or [["（无）"] * 7]
    assert _appendix_rows(result.docx) == expected
    paragraphs = [p.text for p in _read_docx(result.docx).paragraphs]
    assert checklist.count_line in paragraphs
    bundle = tmp_path / account / "佐证材料"
    assert sorted(p.name for p in bundle.iterdir()) == sorted(n for _, _, n in evidence.bundle_names(checklist))


def test_entry_that_is_not_a_mapping_and_foreign_cluster(tmp_path):
    folder = _folder(tmp_path, "cluster: ycswcyjq\n机构:\n  - 光谷孵化器\n")
    cl = evidence.build_checklist(folder, FormData(cluster="whkjcyjq"))
    entry = _rules(cl, "evidence.entry")
    assert [(f.line, f.message) for f in entry] == [(3, "“机构”第 1 项：应为键值对")]
    assert _rules(cl, "evidence.cluster")[0].key == "cluster"
