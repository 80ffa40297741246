"""The writer's journey in real Chromium (Debian's, driven by Playwright), a second cluster
refused, a reviewer reading but unable to save, and a stale save from a second tab.

Screenshots of every page (1,400 × 900) are written to out/screenshots/.
Skipped when /usr/bin/chromium is absent; .ci/run installs it.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from .chromium import chromium, needs_chromium
from .conftest import PASSWORD, REPO, make_user

SHOTS = REPO / "out" / "screenshots"
WRITER = "ycswcyjq"  # a complete demo report with one missing evidence file: one warning to explain
OTHER = "szxgcyjq"
NEW_PASSWORD = "Hb-2025-集群-Bericht"
TYPED = "集群全年新增高新技术企业十二家，产业链协同水平稳步提升。"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    needs_chromium,
]


@pytest.fixture
def browser(no_stray_connections):
    with chromium() as b:
        yield b


def _page(browser, errors: list[str]):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = ctx.new_page()
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
    # Refused pages (404/403 on purpose) log "Failed to load resource"; anything else is a fault.
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}")
            if m.type == "error" and "Failed to load resource" not in m.text else None)
    return page


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def login(page, base: str, user: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


def _xlsx_of_demo_form(tmp_path: Path) -> Path:
    from reportsmith.form.load import load_form
    from reportsmith.form.xlsx import write_xlsx

    data, _ = load_form(REPO / "inputs" / WRITER / "form.yaml")
    return write_xlsx(tmp_path / "填好的统计报表.xlsx", WRITER, data)


def _draft_docx(tmp_path: Path, text: str) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph("宜昌市生物医药省级创新型产业集群2024年度总结报告")
    d.add_paragraph("一、集群总体情况")
    for para in text.split("\n\n"):
        d.add_paragraph(para)
    d.add_paragraph("联系人：张三")
    path = tmp_path / "初稿.docx"
    d.save(path)
    return path


def _pdf_bytes(height: int = 72) -> bytes:
    """A real one-page PDF: evidence PDFs are recognised by their structure, not by "%PDF-"."""
    import io

    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(72, height)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def test_writer_journey_other_cluster_refused_reviewer_reads(live_server, browser, transactional_db, tmp_path, data_dir):
    from reportsmith.web.workspace import store

    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    store.ensure_spaces()
    store.load_folder(REPO / "inputs" / WRITER)
    make_user(WRITER, "cluster", must_change=True)
    make_user(OTHER, "cluster")
    make_user("shenhe2", "reviewer")
    base = live_server.url
    errors: list[str] = []
    page = _page(browser, errors)

    # Log in; the first login forces a password change.
    page.goto(f"{base}/login/")
    shot(page, "01-登录")
    login(page, base, WRITER, PASSWORD)
    page.wait_for_url(f"{base}/password/")
    shot(page, "02-修改密码")
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/c/{WRITER}/")
    assert "概览" in page.content() and "3653" in page.inner_text(".summary")
    shot(page, "03-概览")

    # Write in a heading: the 字数 changes before saving; the text survives a reload.
    page.goto(f"{base}/c/{WRITER}/text/集群创新能力建设情况/")
    before = int(page.inner_text("#heading-zishu"))
    page.click("#editor")
    page.keyboard.press("Control+End")
    page.keyboard.type("\n\n" + TYPED)
    expect(page.locator("#heading-zishu")).not_to_have_text(str(before))
    after = int(page.inner_text("#heading-zishu"))
    assert after > before
    assert "已保存" not in page.inner_text("#save-status") or "未保存" in page.inner_text("#save-status")
    shot(page, "04-正文-输入中")
    page.click("#save-button")
    expect(page.locator("#save-status")).to_contain_text("已保存")
    page.reload()
    assert page.input_value("#editor").endswith(TYPED)
    shot(page, "05-正文-已保存")

    # Upload a filled Excel form.
    page.goto(f"{base}/c/{WRITER}/form/")
    page.set_input_files("#id_xlsx", str(_xlsx_of_demo_form(tmp_path)))
    page.click(".upload-row button[type=submit]")
    page.wait_for_url(f"{base}/c/{WRITER}/form/")
    assert "已读取 Excel 表中的数值" in page.content()
    shot(page, "06-统计报表")

    # Register a policy document with its PDF (type decided from the content).
    page.goto(f"{base}/c/{WRITER}/evidence/")
    page.select_option("#id_group", "政策")
    page.fill("#id_name", "《宜昌市支持生物医药产业发展的若干措施》")
    page.set_input_files("#id_file", files=[{"name": "政策文件.pdf", "mimeType": "application/pdf", "buffer": _pdf_bytes()}])
    page.click(".evidence-form button[type=submit]")
    page.wait_for_url(f"{base}/c/{WRITER}/evidence/")
    assert "已添加" in page.content() and "evidence/政策文件.pdf" in page.content()
    shot(page, "07-佐证材料")
    pdf_link = page.get_attribute("a[href*='/files/']", "href")
    # Replace the file of the entry just listed, through the entry's own form.
    row = page.locator("tr", has_text="《宜昌市支持生物医药产业发展的若干措施》")
    row.locator("input[type=file]").set_input_files(
        files=[{"name": "政策文件（盖章）.pdf", "mimeType": "application/pdf", "buffer": _pdf_bytes(height=144)}])
    row.locator("select[name=replace]").select_option(label="替换 evidence/政策文件.pdf")
    row.locator(".ev-attach button[type=submit]").click()
    page.wait_for_selector("text=已替换")
    assert "evidence/政策文件（盖章）.pdf" in page.content() and "evidence/政策文件.pdf" not in page.content()
    assert "已用空间" in page.inner_text("#quota")

    # Import a Word draft: its text lands under 集群总体情况; the signature is kept as 未归类.
    overview_text = store.current_section(store.get_space(WRITER), "集群总体情况").text
    page.goto(f"{base}/c/{WRITER}/import/")
    page.set_input_files("#id_docx", str(_draft_docx(tmp_path, overview_text)))
    page.click(".upload-row button[type=submit]")
    page.wait_for_selector("text=已导入")
    assert "集群总体情况" in page.inner_text("main") and "联系人：张三" in page.inner_text("main")
    shot(page, "08-导入初稿")

    # Build and download the report; read it back.
    page.goto(f"{base}/c/{WRITER}/build/")
    shot(page, "09-预览与下载")
    with page.expect_download() as dl:
        page.click("#download-docx")
    path = dl.value.path()
    import docx

    text = "\n".join(p.text for p in docx.Document(path).paragraphs)
    assert TYPED in text
    assert overview_text.split("\n\n")[0].strip() in text

    # Submit: every warning needs a 说明.
    page.goto(f"{base}/c/{WRITER}/submit/")
    notes = page.locator("textarea[name^=note-]")
    assert notes.count() >= 1
    shot(page, "10-提交")
    for i in range(notes.count()):
        notes.nth(i).fill("该认定文件正在补办，预计一月底补交。")
    page.click("main form button[type=submit].primary")
    page.wait_for_url(f"{base}/c/{WRITER}/")
    assert "已提交" in page.inner_text(".summary")
    shot(page, "11-已提交")
    page.goto(f"{base}/c/{WRITER}/history/")
    assert "提交" in page.inner_text("main") and "导入 Word 初稿" in page.inner_text("main")
    shot(page, "12-记录")

    # A second cluster is refused the first one's pages, files and API.
    other = _page(browser, errors)
    login(other, base, OTHER, PASSWORD)
    other.wait_for_url(f"{base}/c/{OTHER}/")
    for url in (f"/c/{WRITER}/", f"/c/{WRITER}/text/集群总体情况/", pdf_link, f"/api/clusters/{WRITER}/check",
                f"/api/clusters/{WRITER}/report.docx"):
        assert other.request.get(base + url).status in (403, 404), url
    resp = other.goto(f"{base}/c/{WRITER}/")
    assert resp.status == 404
    shot(other, "13-他人页面被拒")

    # A reviewer reads every page and file but cannot save.
    rev = _page(browser, errors)
    login(rev, base, "shenhe2", PASSWORD)
    rev.wait_for_url(lambda u: "/login/" not in u)
    rev.goto(f"{base}/clusters/")
    shot(rev, "14-审核-全部集群")
    rev.goto(f"{base}/c/{WRITER}/text/集群创新能力建设情况/")
    assert rev.get_attribute("#editor", "readonly") is not None and rev.locator("#save-button").count() == 0
    assert rev.input_value("#editor").endswith(TYPED)
    shot(rev, "15-审核-正文只读")
    assert rev.request.get(base + pdf_link).status == 200
    token = rev.get_attribute('meta[name="csrf-token"]', "content")
    put = rev.request.put(f"{base}/api/clusters/{WRITER}/sections/集群创新能力建设情况",
                          data={"text": "审核人员不能改", "version": 99}, headers={"X-CSRFToken": token})
    assert put.status == 403
    assert store.current_section(store.get_space(WRITER), "集群创新能力建设情况").text.endswith(TYPED)
    assert errors == []


def test_a_stale_save_from_a_second_tab_is_refused_with_both_texts(live_server, browser, transactional_db, data_dir):
    from reportsmith.web.workspace import store

    store.ensure_spaces()
    store.load_folder(REPO / "inputs" / WRITER)
    make_user(WRITER, "cluster")
    base = live_server.url
    errors: list[str] = []
    tab1 = _page(browser, errors)
    login(tab1, base, WRITER, PASSWORD)
    tab2 = tab1.context.new_page()
    url = f"{base}/c/{WRITER}/text/集群发展环境/"
    tab1.goto(url)
    tab2.goto(url)
    original = tab1.input_value("#editor")
    tab1.fill("#editor", original + "第一个标签页的补充。")
    tab1.click("#save-button")
    expect(tab1.locator("#save-status")).to_contain_text("已保存")
    tab2.fill("#editor", original + "第二个标签页的补充。")
    tab2.click("#save-button")
    tab2.wait_for_selector("#conflict:not([hidden])")
    assert tab2.input_value("#conflict-theirs").endswith("第一个标签页的补充。")
    assert tab2.input_value("#conflict-mine").endswith("第二个标签页的补充。")
    shot(tab2, "16-保存冲突")
    # Nothing was overwritten; keeping the second text makes a new version on top.
    assert store.current_section(store.get_space(WRITER), "集群发展环境").text.endswith("第一个标签页的补充。")
    tab2.click("#keep-mine")
    expect(tab2.locator("#save-status")).to_contain_text("已保存（第")
    versions = [sv.text for sv in store.get_space(WRITER).sections.filter(heading="集群发展环境").order_by("version")]
    assert versions[-2].endswith("第一个标签页的补充。") and versions[-1].endswith("第二个标签页的补充。")
    assert errors == []
