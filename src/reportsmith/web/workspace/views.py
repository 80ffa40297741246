"""Pages of the workspace. Views orchestrate: the engine checks, the store reads and writes."""

from __future__ import annotations

from django.shortcuts import redirect, render

from .. import engine
from ..access import allow
from ..accounts.models import ADMIN, CLUSTER, REVIEWER
from . import live, store
from .models import ClusterSpace

READERS = {CLUSTER, REVIEWER, ADMIN}


@allow(roles=READERS)
def home(request):
    """A cluster lands on its own 概览; reviewers and admins on the list of clusters."""
    if request.user.role == CLUSTER:
        return redirect("overview", account=request.user.cluster)
    return redirect("desk_dashboard" if request.user.role == REVIEWER else "clusters")


@allow(roles={REVIEWER, ADMIN})
def clusters(request):
    store.ensure_spaces()
    spaces = {s.account: s for s in ClusterSpace.objects.all()}
    rows = [{"cluster": c, "space": spaces.get(c.account)} for c in engine.load_clusters()]
    return render(request, "workspace/clusters.html", {"rows": rows})


def _next_steps(result, space) -> list[str]:
    steps = []
    errors = [f for f in result.findings if f.severity == engine.Severity.ERROR]
    if not space.editable:
        return ["报告已提交，等待审核；退回修改后才能再次编辑。"] if space.state == "submitted" else []
    missing = result.missing_topics
    if missing:
        steps.append(f"在“正文”中补写 {len(missing)} 个尚未涉及的内容项。")
    if space.form is None:
        steps.append("在“统计报表”中填写附件2，或上传填好的 Excel 表。")
    warnings = [f for f in result.findings if f.severity == engine.Severity.WARNING]
    if errors:
        steps.append(f"修改 {len(errors)} 处错误后才能提交。")
    if not errors and warnings:
        steps.append(f"还有 {len(warnings)} 条警告：能修改的请修改；不修改的，提交时为每条写一句说明。")
    if not errors and not steps:
        steps.append("检查无错误，可以提交。")
    return steps


@allow(roles=READERS)
def overview(request, account):
    space = store.get_space(account)
    cluster = engine.get_cluster(account)
    try:
        result = live.full_check(space)
        problem = None
    except engine.ReportsmithError as exc:
        result, problem = None, exc.text()
    counts = {"error": 0, "warning": 0, "info": 0}
    if result is not None:
        for f in result.findings:
            counts[f.severity.value] += 1
    topics_by_heading: dict[str, list] = {}
    if result is not None:
        for t in result.topics:
            topics_by_heading.setdefault(t.heading, []).append(t)
    return render(request, "workspace/overview.html", {
        "space": space,
        "cluster": cluster,
        "result": result,
        "problem": problem,
        "counts": counts,
        "coverage_pct": round(result.coverage * 100) if result is not None else 0,
        "topics_by_heading": topics_by_heading,
        "next_steps": _next_steps(result, space) if result is not None else [],
        "tab": "overview",
    })
