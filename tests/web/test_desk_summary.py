"""The dashboard reads each cluster's stored check summary: a writer's save shows up once the
freshness window of data/desk.yaml allows, the review page is always exact, a summary only
ever holds its own cluster's figures, and a refresh re-checks a bounded number of clusters."""

from __future__ import annotations

import datetime as dt
import json

from django.urls import reverse

from .conftest import ACCOUNT_A, ACCOUNT_B, REPO, client_for

HEADING = "集群总体情况"
LONG = "集群营业收入稳步增长，创新能力持续提升，龙头企业带动作用明显。" * 40


def _rows(client) -> dict[str, dict]:
    return {r["account"]: r for r in client.get(reverse("api_desk_rows")).json()["clusters"]}


def _save(world, role: str, account: str, text: str) -> None:
    c = client_for(world, role)
    url = f"/api/clusters/{account}/sections/{HEADING}"
    version = c.get(url).json()["version"]
    resp = c.put(url, json.dumps({"text": text, "version": version}), content_type="application/json")
    assert resp.status_code == 200


def _exact(account: str):
    from reportsmith.web.desk import service
    from reportsmith.web.workspace import store

    return service.snapshot(store.get_space(account)).result


def _age(account: str, seconds: float) -> None:
    """Move the stored summary's check time back, as if the clock had run on."""
    from django.utils import timezone

    from reportsmith.web.desk.models import CheckSummary

    CheckSummary.objects.filter(space__account=account).update(checked_at=timezone.now() - dt.timedelta(seconds=seconds))


def test_dashboard_shows_a_writers_save_once_the_window_allows_review_page_always(world, settings):
    from reportsmith.web.desk import service

    window = service.freshness().max_age_seconds  # data/desk.yaml
    assert window > 0
    reviewer = client_for(world, "reviewer")
    before = _rows(reviewer)[ACCOUNT_A]
    assert before["zishu"] == _exact(ACCOUNT_A).zishu and not before["stale"] and before["checked_at"]

    _save(world, "cluster_a", ACCOUNT_A, LONG)
    new = _exact(ACCOUNT_A).zishu
    assert new != before["zishu"]
    # within the window: the stored figures, marked as older than the last change
    during = _rows(reviewer)[ACCOUNT_A]
    assert during["zishu"] == before["zishu"] and during["stale"] and during["checked_at"] == before["checked_at"]
    page = reviewer.get(reverse("desk_dashboard")).content.decode()
    row = page.split(f'data-account="{ACCOUNT_A}"')[1].split("</tr>")[0]
    assert f">{before['zishu']}<" in row and " *</td>" in row
    assert f"最多沿用 {window:g} 秒" in page
    # the review page and its JSON are exact at once
    review = reviewer.get(reverse("api_desk_review", kwargs={"account": ACCOUNT_A})).json()
    assert review["check"]["zishu"] == new
    assert f"字数 <b>{new}</b>" in reviewer.get(reverse("desk_review", kwargs={"account": ACCOUNT_A})).content.decode()

    # the window of data/desk.yaml has passed: the next refresh shows the new figures
    _age(ACCOUNT_A, window + 1)
    after = _rows(reviewer)[ACCOUNT_A]
    assert after["zishu"] == new and not after["stale"]

    # a threshold of 0 (through the settings) shows every save at the next refresh
    settings.DESK_DASHBOARD = {"max_age_seconds": 0}
    _save(world, "cluster_a", ACCOUNT_A, LONG + LONG)
    assert _rows(reviewer)[ACCOUNT_A]["zishu"] == _exact(ACCOUNT_A).zishu != new


def test_each_summary_holds_its_own_clusters_figures(world, settings):
    from reportsmith.web.desk.models import CheckSummary
    from reportsmith.web.workspace import store

    settings.DESK_DASHBOARD = {"max_age_seconds": 0, "recheck_seconds": 60}
    others = ("ycswcyjq", "szxgcyjq")  # the demo clusters with text besides A
    for account in others:
        store.load_folder(REPO / "inputs" / account)
    reviewer = client_for(world, "reviewer")
    rows = _rows(reviewer)
    started = [a for a, r in rows.items() if r["state"] != "not_started"]
    assert set(started) == {ACCOUNT_A, *others}
    figures = {a: (rows[a]["zishu"], rows[a]["coverage"], rows[a]["errors"], rows[a]["warnings"]) for a in started}
    assert len(set(figures.values())) == 3  # three different reports
    for a in started:
        exact = _exact(a)
        assert figures[a] == (exact.zishu, round(exact.coverage, 4),
                              sum(f.severity.value == "error" for f in exact.findings),
                              sum(f.severity.value == "warning" for f in exact.findings))
        assert CheckSummary.objects.get(space__account=a).zishu == exact.zishu
    # B starts writing: B gets its own summary; the others' summaries are not touched
    stamps = dict(CheckSummary.objects.values_list("space__account", "checked_at"))
    _save(world, "cluster_b", ACCOUNT_B, LONG)
    rows = _rows(reviewer)
    assert rows[ACCOUNT_B]["zishu"] == _exact(ACCOUNT_B).zishu
    assert rows[ACCOUNT_B]["zishu"] not in [f[0] for f in figures.values()]
    assert all(rows[a]["zishu"] == figures[a][0] for a in started)
    now = dict(CheckSummary.objects.values_list("space__account", "checked_at"))
    assert {a: now[a] for a in started} == stamps and ACCOUNT_B in now
    # B saves again: only B is re-checked
    _save(world, "cluster_b", ACCOUNT_B, LONG + LONG)
    assert _rows(reviewer)[ACCOUNT_B]["zishu"] == _exact(ACCOUNT_B).zishu
    later = dict(CheckSummary.objects.values_list("space__account", "checked_at"))
    assert later[ACCOUNT_B] > now[ACCOUNT_B] and {a: later[a] for a in started} == stamps


def test_a_refresh_rechecks_a_bounded_number_of_clusters(world, settings):
    from reportsmith.web.desk.models import CheckSummary
    from reportsmith.web.workspace import store

    for account in ("ycswcyjq", "szxgcyjq"):
        store.load_folder(REPO / "inputs" / account)
    _save(world, "cluster_b", ACCOUNT_B, LONG)  # four started clusters, none checked yet
    settings.DESK_DASHBOARD = {"max_age_seconds": 0, "recheck_seconds": 0}  # one re-check per refresh
    reviewer = client_for(world, "reviewer")
    page = reviewer.get(reverse("desk_dashboard")).content.decode()
    assert CheckSummary.objects.count() == 1
    assert page.count("尚未检查，请稍后刷新") == 3
    for n in (2, 3, 4):
        reviewer.get(reverse("desk_dashboard"))
        assert CheckSummary.objects.count() == n
    page = reviewer.get(reverse("desk_dashboard")).content.decode()
    assert "尚未检查" not in page
    # nothing changed: a refresh re-checks nothing
    stamps = list(CheckSummary.objects.order_by("pk").values_list("checked_at", flat=True))
    reviewer.get(reverse("desk_dashboard"))
    assert list(CheckSummary.objects.order_by("pk").values_list("checked_at", flat=True)) == stamps


def test_every_change_of_text_form_evidence_files_or_state_moves_the_revision(world):
    from reportsmith.web.workspace.models import ClusterSpace, StoredFile
    from reportsmith.web.workspace import store

    space = world["space_a"]

    def rev() -> int:
        return ClusterSpace.objects.get(pk=space.pk).revision

    r0 = rev()
    store.save_section(space, HEADING, "新文本。", store.current_section(space, HEADING).version, world["users"]["cluster_a"])
    assert rev() > r0
    r1 = rev()
    f = StoredFile.objects.create(space=space, path="evidence/新材料.pdf", sha256="0" * 64, size=1)
    assert rev() > r1
    r2 = rev()
    f.delete()
    assert rev() > r2
    # two requests holding the same old copy: both changes count (never written back from memory)
    one, two = ClusterSpace.objects.get(pk=space.pk), ClusterSpace.objects.get(pk=space.pk)
    r3 = rev()
    one.form = {**(one.form or {}), "营业收入": "1"}
    one.save()
    two.evidence = {}
    two.save()
    assert rev() == r3 + 2
    client_for(world, "cluster_a").post(reverse("form", kwargs={"account": ACCOUNT_A}), {})
    store.load_folder(REPO / "inputs" / ACCOUNT_A)
    assert rev() > r3 + 2


def test_migrations_match_the_models_and_made_the_tables(db):
    import io

    from django.core.management import call_command
    from django.db import connection

    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # exits non-zero when one is missing
    tables = connection.introspection.table_names()
    assert "desk_checksummary" in tables
    with connection.cursor() as cur:
        columns = {c.name for c in connection.introspection.get_table_description(cur, "workspace_clusterspace")}
    assert "revision" in columns


def test_charts_draw_the_dashboards_stored_figures(world):
    from reportsmith.batch.charts import points_from_checks
    from reportsmith.registry.clusters import get_cluster
    from reportsmith.web.desk import service
    from reportsmith.web.desk.models import CheckSummary

    reviewer = client_for(world, "reviewer")
    reviewer.get(reverse("desk_dashboard"))
    stored = CheckSummary.objects.get(space__account=ACCOUNT_A)
    exact = points_from_checks([(get_cluster(ACCOUNT_A), _exact(ACCOUNT_A))])[0]
    assert {(h, t): o for h, t, o in stored.topics} == dict(exact.topics) and len(stored.topics) > 10
    before = service.chart_path("coverage", service.all_rows())
    assert reviewer.get(reverse("desk_chart", kwargs={"chart": "coverage"})).content == before.read_bytes()
    # a save within the window: the charts, like the table, still show the stored figures
    _save(world, "cluster_a", ACCOUNT_A, LONG)
    assert service.chart_path("coverage", service.all_rows()) == before
    # once the window has passed, both follow the save
    _age(ACCOUNT_A, service.freshness().max_age_seconds + 1)
    rows = service.all_rows()
    assert service.chart_path("coverage", rows) != before
    assert next(r for r in rows if r.cluster.account == ACCOUNT_A).zishu == _exact(ACCOUNT_A).zishu


def test_a_text_save_does_not_write_back_a_stale_copy_of_the_form(world):
    from reportsmith.web.workspace import store
    from reportsmith.web.workspace.models import ClusterSpace

    held = store.get_space(ACCOUNT_A)  # a text save's copy, loaded before the form changes
    other = ClusterSpace.objects.get(pk=held.pk)
    other.form = {**other.form, "营业收入": "123.4"}
    other.save()
    store.save_section(held, HEADING, "新文本。", store.current_section(held, HEADING).version, world["users"]["cluster_a"])
    assert ClusterSpace.objects.get(pk=held.pk).form["营业收入"] == "123.4"


def test_current_sections_reads_the_newest_version_of_each_heading_only(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reportsmith.web.workspace import store
    from reportsmith.web.workspace.models import SectionVersion

    space, user = world["space_a"], world["users"]["cluster_a"]
    for i in range(30):  # autosave leaves many versions behind
        for heading in (HEADING, "集群发展成效"):
            cur = store.current_section(space, heading)
            store.save_section(space, heading, f"{heading}第{i}版。", cur.version if cur else 0, user)
    naive: dict = {}
    for sv in SectionVersion.objects.filter(space=space).order_by("heading", "-version"):
        naive.setdefault(sv.heading, sv)
    with CaptureQueriesContext(connection) as q:
        got = store.current_sections(space)
    assert {h: (sv.version, sv.content) for h, sv in got.items()} == {h: (sv.version, sv.content) for h, sv in naive.items()}
    assert got[HEADING].content == f"{HEADING}第29版。" and len(q.captured_queries) == 1
