"""``reportsmith load`` never silently replaces what was done in the workspace: a cluster changed
there since its last load (text, form, evidence, import, submission, review) is skipped with
who and when, and nothing of it changes; ``--replace`` replaces, the old text kept in history."""

from __future__ import annotations

import pytest

from .conftest import ACCOUNT_A, REPO
from .live import LiveWorkspace, section_path

HEADING = "集群总体情况"
FOLDER = REPO / "inputs" / ACCOUNT_A
MINE = "工作区中写下的正文：不能被再次导入覆盖。😀"


def _snapshot(space):
    space.refresh_from_db()
    versions = sorted(space.sections.values_list("heading", "version", "content"))
    return versions, space.form, space.form_version, space.evidence, space.state


def test_a_guarded_load_skips_a_cluster_changed_in_the_workspace_and_changes_nothing(world):
    from reportsmith.web.workspace import store

    space, writer = world["space_a"], world["users"]["cluster_a"]
    store.load_folder(FOLDER, replace_changes=False)  # nothing done since the last load: loads
    cur = store.current_section(space, HEADING)
    store.save_section(space, HEADING, MINE, cur.version, writer)
    before = _snapshot(space)

    with pytest.raises(store.ChangedInWorkspace) as refused:
        store.load_folder(FOLDER, replace_changes=False)
    text = refused.value.text()
    assert f"集群 {ACCOUNT_A} 在工作区中已有改动" in text and f"{ACCOUNT_A}“保存正文”" in text
    assert "report.yaml" in text and "--replace" in text
    assert refused.value.exit_code == 1
    assert _snapshot(space) == before
    assert store.current_section(space, HEADING).content == MINE

    # --replace: the folder's text becomes current, the writer's stays in the history.
    store.load_folder(FOLDER)
    assert store.current_section(space, HEADING).content != MINE
    assert space.sections.filter(heading=HEADING, content=MINE).exists()
    store.load_folder(FOLDER, replace_changes=False)  # nothing done since that load


@pytest.mark.parametrize("action", ["form", "evidence", "import", "submit", "comment", "return", "approve"])
def test_every_kind_of_change_counts_and_reading_does_not(world, action):
    from reportsmith.web.workspace import store
    from reportsmith.web.workspace.models import audit

    space = world["space_a"]
    audit(space, world["users"]["cluster_a"], "download", "下载报告")
    audit(space, world["users"]["reviewer"], "annotate", "下载批注稿")
    store.load_folder(FOLDER, replace_changes=False)  # downloads change nothing a load replaces
    audit(space, world["users"]["reviewer"], action, "")
    with pytest.raises(store.ChangedInWorkspace):
        store.load_folder(FOLDER, replace_changes=False)


@pytest.mark.slow
def test_the_load_command_skips_with_exit_1_and_replace_replaces(tmp_path):
    """End to end: a writer saves through the running server; ``reportsmith load`` then skips
    the cluster (exit 1, who and when on stderr) and ``--replace`` loads it (exit 0)."""
    ws = LiveWorkspace(tmp_path / "data", "sqlite").init()
    try:
        ws.start()
        s = ws.session(ACCOUNT_A)
        path = section_path(ACCOUNT_A, HEADING)
        v = s.get(path).json()["version"]
        assert s.put_json(path, {"text": MINE, "version": v}).status == 200
        ws.stop()

        skipped = ws.run("load", str(FOLDER), "--data", str(ws.data), check=False)
        assert skipped.returncode == 1, skipped.stderr
        assert f"跳过：{FOLDER / 'report.yaml'}：未导入：集群 {ACCOUNT_A} 在工作区中已有改动" in skipped.stderr
        assert "“保存正文”" in skipped.stderr and "加 --replace 重新导入" in skipped.stderr
        assert "已导入 0 个集群文件夹；跳过 1 个在工作区中已有改动的集群" in skipped.stdout
        sections = [r for r in ws.dump()["sections"] if r[0] == ACCOUNT_A and r[1] == HEADING]
        assert max(sections, key=lambda r: r[2])[3] == MINE

        replaced = ws.run("load", str(FOLDER), "--data", str(ws.data), "--replace")
        assert "已导入 1 个集群文件夹。" in replaced.stdout
        sections = [r for r in ws.dump()["sections"] if r[0] == ACCOUNT_A and r[1] == HEADING]
        assert max(sections, key=lambda r: r[2])[3] != MINE and MINE in [r[3] for r in sections]
        assert ws.run("load", str(FOLDER), "--data", str(ws.data)).returncode == 0  # nothing done since
    finally:
        ws.close()
