"""The review desk as a reviewer uses it: dashboard, review page, comments, return and approve,
批注 for the cluster's report and for a received .docx, charts, JSON."""

from __future__ import annotations

import io
import json
import re
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse

from .conftest import ACCOUNT_A, ACCOUNT_B, REPO, client_for


def _submit(space):
    """What the writer's 提交 does to the state (the workspace's submit page is tested with it)."""
    from django.utils import timezone

    space.state, space.submitted_at = "submitted", timezone.now()
    space.save()


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr class="row-[a-z_]+" data-account="([a-z0-9]+)"', html)


def test_dashboard_lists_every_cluster_in_order_and_not_started_earns_nothing(world):
    from reportsmith.registry.clusters import accounts

    resp = client_for(world, "reviewer").get(reverse("desk_dashboard"))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert _rows(html) == accounts()
    # cluster B has not started: shown as such, no 字数 or coverage
    row_b = html.split(f'data-account="{ACCOUNT_B}"')[1].split("</tr>")[0]
    assert "未开始" in row_b and "%" not in row_b
    row_a = html.split(f'data-account="{ACCOUNT_A}"')[1].split("</tr>")[0]
    assert "填写中" in row_a and "%" in row_a


def test_dashboard_filters_and_sorts(world):
    c = client_for(world, "reviewer")
    national = _rows(c.get(reverse("desk_dashboard"), {"level": "国家级"}).content.decode())
    assert len(national) == 16
    drafting = _rows(c.get(reverse("desk_dashboard"), {"state": "drafting"}).content.decode())
    assert drafting == [ACCOUNT_A]
    # sorted by 字数, largest first: the one started cluster leads, the not-started follow
    by_zishu = _rows(c.get(reverse("desk_dashboard"), {"sort": "zishu", "dir": "desc"}).content.decode())
    assert by_zishu[0] == ACCOUNT_A and len(by_zishu) == 48
    data = c.get(reverse("api_desk_rows"), {"level": "国家级", "sort": "name"}).json()
    names = [r["name"] for r in data["clusters"]]
    assert names == sorted(names) and len(names) == 16
    a = next(r for r in c.get(reverse("api_desk_rows")).json()["clusters"] if r["account"] == ACCOUNT_A)
    assert a["zishu"] > 1000 and a["state"] == "drafting"
    b = next(r for r in c.get(reverse("api_desk_rows")).json()["clusters"] if r["account"] == ACCOUNT_B)
    assert b["zishu"] is None and b["coverage"] is None and b["state_label"] == "未开始"


def test_charts_are_png_and_cached_by_input(world, settings):
    from reportsmith.web.desk import service
    from reportsmith.web.workspace import store

    settings.DESK_DASHBOARD = {"max_age_seconds": 0}  # the dashboard's figures follow every change at once

    c = client_for(world, "reviewer")
    paths = {name: service.chart_path(name, service.all_rows()) for name in service.CHARTS}
    for name in service.CHARTS:
        resp = c.get(reverse("desk_chart", kwargs={"chart": name}))
        assert resp.status_code == 200 and resp.content[:8] == b"\x89PNG\r\n\x1a\n"
        assert paths[name].read_bytes() == resp.content  # drawn once, kept under the inputs' hash
    # served from the cache: the file is not rewritten
    stamp = paths["zishu"].stat().st_mtime_ns
    assert c.get(reverse("desk_chart", kwargs={"chart": "zishu"})).content == paths["zishu"].read_bytes()
    assert paths["zishu"].stat().st_mtime_ns == stamp
    # a change of one cluster's inputs makes a new picture
    space = world["space_a"]
    store.save_section(space, "集群总体情况", "新的总体情况。" * 50, store.current_section(space, "集群总体情况").version,
                       world["users"]["cluster_a"])
    new = service.chart_path("zishu", service.all_rows())
    assert new != paths["zishu"]
    assert c.get(reverse("desk_chart", kwargs={"chart": "zishu"})).content == new.read_bytes()
    assert c.get(reverse("desk_chart", kwargs={"chart": "nosuch"})).status_code == 404


def test_review_comment_return_writer_sees_it_resubmit_approve_audit(world):
    space = world["space_a"]
    reviewer = client_for(world, "reviewer")
    url = reverse("desk_review", kwargs={"account": ACCOUNT_A})
    page = reviewer.get(url).content.decode()
    assert "附件2 统计报表" in page and "佐证材料清单" in page and "检查发现的问题" in page
    # not submitted yet: neither approve nor return
    assert 'id="approve"' not in page and 'id="return"' not in page
    _submit(space)
    page = reviewer.get(url).content.decode()
    assert 'id="approve"' in page and 'id="return"' in page

    resp = reviewer.post(reverse("desk_comment", kwargs={"account": ACCOUNT_A}),
                         {"kind": "heading", "place": "集群总体情况", "text": "请补充集群营业收入的构成。", "anchor": "h-1"})
    assert resp.status_code == 302 and resp["Location"].endswith("#h-1")
    reviewer.post(reverse("desk_comment", kwargs={"account": ACCOUNT_A}),
                  {"kind": "row", "place": "营业收入", "text": "营业收入与上年差异较大，请核实。"})
    # the writer does not see drafts
    writer = client_for(world, "cluster_a")
    assert "请补充集群营业收入的构成" not in writer.get(reverse("overview", kwargs={"account": ACCOUNT_A})).content.decode()

    resp = reviewer.post(reverse("desk_return", kwargs={"account": ACCOUNT_A}), {"reason": ""})
    space.refresh_from_db()
    assert space.state == "submitted"  # a return needs a reason
    reviewer.post(reverse("desk_return", kwargs={"account": ACCOUNT_A}), {"reason": "内容项不全，请修改后再提交。"})
    space.refresh_from_db()
    assert space.state == "returned" and space.editable

    overview = writer.get(reverse("overview", kwargs={"account": ACCOUNT_A})).content.decode()
    assert "内容项不全，请修改后再提交。" in overview
    # the heading's comment stands in the heading's row
    row = next(r for r in overview.split("<tr>") if "集群总体情况" in r.split("</td>")[0])
    assert "请补充集群营业收入的构成。" in row
    # and in the 正文 editor of that heading, and at the row of the 统计报表
    text_page = writer.get(reverse("text", kwargs={"account": ACCOUNT_A, "heading": "集群总体情况"})).content.decode()
    assert "请补充集群营业收入的构成。" in text_page
    form_page = writer.get(reverse("form", kwargs={"account": ACCOUNT_A})).content.decode()
    form_row = next(r for r in form_page.split("<tr") if 'name="v:营业收入"' in r)
    assert "营业收入与上年差异较大，请核实。" in form_row

    _submit(space)
    reviewer.post(reverse("desk_approve", kwargs={"account": ACCOUNT_A}))
    space.refresh_from_db()
    assert space.state == "approved"
    log = reviewer.get(reverse("api_desk_review", kwargs={"account": ACCOUNT_A})).json()
    actions = [a["action"] for a in log["audit"]]
    assert actions[-4:] == ["comment", "comment", "return", "approve"]
    assert log["state_label"] == "已通过"
    assert [c["place"] for c in log["comments"]] == ["集群总体情况", "营业收入", ""]
    page = reviewer.get(url).content.decode()
    audit_html = page.split('class="audit-log"')[1]
    assert audit_html.index("审核意见") < audit_html.index("退回修改") < audit_html.index("通过")


def test_comment_place_must_exist(world):
    from reportsmith.web.desk.models import ReviewComment

    reviewer = client_for(world, "reviewer")
    resp = reviewer.post(reverse("desk_comment", kwargs={"account": ACCOUNT_A}),
                         {"kind": "heading", "place": "不存在的标题", "text": "x"}, follow=True)
    assert "附件3中没有标题“不存在的标题”" in resp.content.decode()
    assert not ReviewComment.objects.exists()


def test_approve_refused_unless_submitted(world):
    reviewer = client_for(world, "reviewer")
    resp = reviewer.post(reverse("desk_approve", kwargs={"account": ACCOUNT_A}), follow=True)
    assert "只有已提交的报告可以通过" in resp.content.decode()
    world["space_a"].refresh_from_db()
    assert world["space_a"].state == "drafting"


def test_annotated_report_carries_the_findings_as_comments(world):
    from reportsmith.docx.comments import read_comments
    from reportsmith.web.desk import service
    from reportsmith.web.workspace import store

    space = world["space_a"]
    h = "集群总体情况"
    store.save_section(space, h, "本年度暂无。", store.current_section(space, h).version, world["users"]["cluster_a"])
    resp = client_for(world, "reviewer").get(reverse("desk_annotated", kwargs={"account": ACCOUNT_A}))
    assert resp.status_code == 200
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "a.docx"
        p.write_bytes(resp.content)
        comments = read_comments(p)
        from reportsmith.docx.read import read_docx

        paragraphs = [x.text for x in read_docx(p).paragraphs]
    findings = service.snapshot(world["space_a"]).result.findings
    assert len(comments) == len(findings) > 0
    assert all(text.split("：", 1)[0] in ("错误", "警告", "提示") for _, _, text in comments)
    # the finding about the heading stands at the heading's paragraph
    about_h = [i for i, _, text in comments if h in text]
    assert about_h and all(h in paragraphs[i] for i in about_h), (about_h, [paragraphs[i] for i in about_h])


def _demo_docx(tmp: Path) -> Path:
    from reportsmith.report.build import build

    return build(REPO / "inputs" / ACCOUNT_A, tmp).docx


def test_received_docx_comes_back_annotated_with_text_unchanged(world, tmp_path):
    from docx import Document

    from reportsmith.docx.comments import read_comments

    src = _demo_docx(tmp_path)
    c = client_for(world, "reviewer")
    with src.open("rb") as fh:
        resp = c.post(reverse("desk_annotate_upload"), {"docx": fh})
    assert resp.status_code == 200
    from urllib.parse import unquote

    assert unquote(resp["Content-Disposition"]).endswith("-批注.docx")
    out = tmp_path / "back.docx"
    out.write_bytes(resp.content)
    assert [p.text for p in Document(str(out)).paragraphs] == [p.text for p in Document(str(src)).paragraphs]
    assert read_comments(out)


def test_received_upload_is_untrusted(world, settings, tmp_path):
    c = client_for(world, "reviewer")
    resp = c.post(reverse("desk_annotate_upload"), {"docx": io.BytesIO(b"not a zip")}, format="multipart")
    assert resp.status_code == 400
    fake = tmp_path / "假的.docx"
    fake.write_bytes(b"PK\x03\x04 not really a docx")
    with fake.open("rb") as fh:
        resp = c.post(reverse("desk_annotate_upload"), {"docx": fh})
    assert resp.status_code == 400 and "无法读取" in resp.content.decode()
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    big = tmp_path / "大.docx"
    big.write_bytes(b"PK" + b"\0" * (1024 * 1024 + 10))
    with big.open("rb") as fh:
        resp = c.post(reverse("desk_annotate_upload"), {"docx": fh})
    assert resp.status_code == 400 and "超过 1 MB" in resp.content.decode()


def test_evidence_files_linked_and_served(world):
    reviewer = client_for(world, "reviewer")
    page = reviewer.get(reverse("desk_review", kwargs={"account": ACCOUNT_A})).content.decode()
    links = re.findall(r'href="(/desk/c/%s/files/\d+)"' % ACCOUNT_A, page)
    assert links
    f = world["space_a"].files.order_by("id").first()
    resp = reviewer.get(reverse("desk_file", kwargs={"account": ACCOUNT_A, "file_id": f.id}))
    from reportsmith.web.workspace import store

    assert resp.content == store.blob_path(f.sha256).read_bytes()


@pytest.mark.parametrize("name", ["desk_dashboard", "api_desk_rows"])
def test_cluster_accounts_are_refused(world, name):
    assert client_for(world, "cluster_a").get(reverse(name)).status_code == 403


@pytest.mark.slow
def test_compendium_and_export_downloads(world, tmp_path):
    """汇编 (only approved) and 导出全部 from the desk are the engine's, read back."""
    import hashlib
    import zipfile

    from docx import Document

    from reportsmith.web.desk import service

    c = client_for(world, "reviewer")
    space = world["space_a"]
    title = service.snapshot(space).assembled.title
    # nothing approved yet: a message, no volume
    resp = c.post(reverse("desk_compendium"), {"only_approved": "1"}, follow=True)
    assert "还没有已通过审核的集群" in resp.content.decode()
    _submit(space)
    service.approve_space(space, world["users"]["reviewer"])

    resp = c.post(reverse("desk_compendium"), {"only_approved": "1"})
    assert resp.status_code == 200
    vol = tmp_path / "汇编.docx"
    vol.write_bytes(resp.content)
    titles = ["".join(p.text.split()) for p in Document(str(vol)).paragraphs if p.style.style_id == "Title"]
    assert titles == ["".join(title.split())]  # the one approved report, once

    resp = c.post(reverse("desk_export"))
    assert resp.status_code == 200
    z = tmp_path / "全部材料.zip"
    z.write_bytes(resp.content)
    with zipfile.ZipFile(z) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        files = {e["path"]: e for e in manifest["files"]}
        assert "汇编.docx" in files
        report = next(p for p in files if p.startswith(f"{ACCOUNT_A}/") and p.endswith(".docx"))
        for path, e in files.items():
            assert hashlib.sha256(zf.read(path)).hexdigest() == e["sha256"]
    assert report
    actions = [a.action for a in service.AuditEntry.objects.filter(space=None).order_by("id")]
    assert actions[-2:] == ["compendium", "export"]
