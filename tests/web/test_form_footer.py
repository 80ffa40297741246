"""The form's footer typed once on the 统计报表 page travels with the form: into the exported
form.yaml the CLI reads, onto the downloaded Excel form, and back on load."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import openpyxl
import yaml

from .conftest import ACCOUNT_A, REPO, client_for


def test_footer_is_exported_printed_and_loaded_back(world, tmp_path):
    from reportsmith.web.workspace import store

    space = world["space_a"]
    space.filler, space.phone, space.fill_date = "李四", "027-12345678", dt.date(2025, 1, 20)
    space.save()
    exported = yaml.safe_load(store.form_yaml(space))
    assert exported["表尾"] == {"填表人": "李四", "电话": "027-12345678", "填报日期": "2025年1月20日"}

    resp = client_for(world, "cluster_a").get(f"/c/{ACCOUNT_A}/form.xlsx")
    assert resp.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    lines = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("依托单位名称")]
    assert lines and lines[0].endswith("填表人：李四  电话：027-12345678  填报日期：2025年1月20日")

    folder = store.export_space(space, tmp_path / ACCOUNT_A)
    space.filler, space.phone, space.fill_date = "", "", None
    space.save()
    store.load_folder(folder)
    space.refresh_from_db()
    assert (space.filler, space.phone, space.fill_date) == ("李四", "027-12345678", dt.date(2025, 1, 20))


def test_a_form_without_footer_exports_no_footer(world, tmp_path):
    from reportsmith.web.workspace import store

    folder = tmp_path / ACCOUNT_A
    shutil.copytree(REPO / "inputs" / ACCOUNT_A, folder)
    store.load_folder(folder)
    space = store.get_space(ACCOUNT_A)
    assert "表尾" not in yaml.safe_load(store.form_yaml(space))
