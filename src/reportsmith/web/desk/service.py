"""What the review desk shows and does, computed by the engine.

* :func:`snapshot` — one cluster assembled and checked exactly as ``reportsmith check`` does,
  cached by the hash of its inputs (report.yaml, form.yaml, evidence.yaml, files); the review
  page and everything a reviewer acts on use it, so they are always exact;
* :func:`dashboard_rows` — the 48 clusters in 附件1 order with state, 字数, coverage, problem
  counts and evidence status, read from each cluster's stored :class:`CheckSummary`. A summary
  is stale once the space's revision moved on; a refresh re-checks stale summaries older than
  ``max_age_seconds`` of ``data/desk.yaml``, for at most ``recheck_seconds``, and the page says
  when each row was checked. A cluster that has not started is not checked at all, so it
  earns no 字数 or coverage from the data sentences its form would generate;
* :func:`chart_png` — the engine's charts over those rows, cached on disk by input hash;
* :func:`add_comment`, :func:`return_space`, :func:`approve_space` — the reviewer's actions,
  each written to the audit log;
* :func:`materialize_all` — the workspace as an inputs folder (with ``review.yaml``) for the
  engine's compendium and export.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import reportsmith

import yaml
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import engine as ws_engine
from ..workspace import live, store
from ..workspace.models import ACTION_LABELS as WORKSPACE_ACTION_LABELS
from ..workspace.models import (
    APPROVED,
    NOT_STARTED,
    RETURNED,
    STATE_CHOICES,
    SUBMITTED,
    TRANSITIONS,
    AuditEntry,
    ClusterSpace,
    audit,
)
from . import engine
from .models import GENERAL, HEADING, ROW, CheckSummary, ReviewComment

STATE_LABELS = dict(STATE_CHOICES)
LEVELS = ("国家级", "省级")
# The workspace's labels of audit actions, and the desk's own.
ACTION_LABELS = {**WORKSPACE_ACTION_LABELS, "annotate": "批注", "compendium": "汇编", "export": "导出全部"}


class DeskError(Exception):
    """A reviewer's action that cannot be done now (message in Chinese, shown on the page)."""


# ---------------------------------------------------------------- snapshots


@dataclass
class Snapshot:
    """One cluster assembled and checked; ``problem`` when its inputs could not be read."""

    key: str
    assembled: Any = None
    result: Any = None
    problem: str | None = None


_CACHE: OrderedDict[str, Snapshot] = OrderedDict()
_CACHE_SIZE = 256
_LOCK = threading.Lock()


def input_key(space: ClusterSpace) -> str:
    """SHA-256 over everything the check reads: same inputs, same key."""
    h = hashlib.sha256()
    for part in (store.report_yaml(space), store.form_yaml(space) or "", store.evidence_yaml(space) or ""):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    for f in space.files.order_by("path"):
        h.update(f"{f.path}\0{f.sha256}\0".encode("utf-8"))
    return h.hexdigest()


def snapshot(space: ClusterSpace) -> Snapshot:
    key = input_key(space)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    snap = Snapshot(key)
    with store.Materialized(space) as folder:
        try:
            snap.assembled, report = engine.load_and_assemble(folder)
            snap.result = engine.check_assembled(snap.assembled, report)
        except ws_engine.ReportsmithError as exc:
            snap.assembled, snap.result, snap.problem = None, None, exc.text()
    with _LOCK:
        _CACHE[key] = snap
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return snap


# ---------------------------------------------------------------- stored summaries


SUMMARY_FORMAT = 2  # what a summary holds; raise it when that changes (older summaries become stale)


@lru_cache(maxsize=1)
def engine_key() -> str:
    """The engine's version and a fingerprint of its data files: a summary computed by another
    engine (rules, thresholds, cue words changed) is stale whatever the revision."""
    h = hashlib.sha256()
    data = resources.files("reportsmith").joinpath("data")
    for entry in sorted(data.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            h.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    return f"{reportsmith.__version__}:{h.hexdigest()[:16]}:{SUMMARY_FORMAT}"


@dataclass(frozen=True)
class Freshness:
    """How old the dashboard's figures may be (``dashboard`` of ``data/desk.yaml``)."""

    max_age_seconds: float
    recheck_seconds: float


def freshness() -> Freshness:
    """``data/desk.yaml``, with ``settings.DESK_DASHBOARD`` (a mapping) taking precedence."""
    values = dict(engine.load_data("desk.yaml")["dashboard"])
    values.update(getattr(settings, "DESK_DASHBOARD", None) or {})
    return Freshness(float(values["max_age_seconds"]), float(values["recheck_seconds"]))


def summarize(space: ClusterSpace, revision: int, snap: Snapshot) -> CheckSummary:
    """The dashboard's figures of one snapshot of ``space`` taken at ``revision`` (unsaved)."""
    s = CheckSummary(space=space, revision=revision, engine=engine_key(), checked_at=timezone.now(),
                     problem=snap.problem or "")
    result = snap.result
    if result is not None:
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in result.findings:
            counts[f.severity.value] += 1
        s.zishu, s.band, s.coverage = result.zishu, result.band or "", result.coverage
        s.errors, s.warnings, s.infos = counts["error"], counts["warning"], counts["info"]
        point = engine.points_from_checks([(ws_engine.get_cluster(space.account), result)])[0]
        s.topics = [[h, t, outcome] for (h, t), outcome in point.topics.items()]
    checklist = snap.assembled.checklist if snap.assembled is not None else None
    if checklist is not None and space.evidence is not None:
        s.evidence_attached = sum(1 for i in checklist.items if i.status == "已附")
        s.evidence_required = len(checklist.items)
    return s


def _store_summary(s: CheckSummary) -> CheckSummary:
    """Keep ``s`` unless a summary of a later revision is already stored (another request)."""
    fields = {f.name: getattr(s, f.name) for f in CheckSummary._meta.concrete_fields if f.name != "space"}
    for _ in range(2):
        if CheckSummary.objects.filter(space_id=s.space_id, revision__lte=s.revision).update(**fields):
            return s
        if CheckSummary.objects.filter(space_id=s.space_id).exists():
            return s  # a later revision's summary is stored: keep it
        try:
            with transaction.atomic():
                s.save(force_insert=True)
            return s
        except IntegrityError:
            continue  # another request stored the first summary just now: compare with it
    return s


def refresh_summary(space: ClusterSpace) -> CheckSummary:
    """Check ``space`` now and store the summary. ``space.revision`` must have been read before
    its content (it is, for a space fetched and then checked): the summary is then never newer
    than its revision says, at worst older — and re-checked on a later refresh."""
    revision = space.revision
    return _store_summary(summarize(space, revision, snapshot(space)))


_REFRESHING: set[int] = set()  # spaces being re-checked by a request of this process


def current_summaries(spaces: list[ClusterSpace], *, now: dt.datetime | None = None) -> dict[int, CheckSummary]:
    """Space id → its summary for every started space, re-checking the stale ones that are due.

    Due: no summary yet (first), a summary of another engine, or a stale summary older than
    ``max_age_seconds`` (oldest first). Re-checking stops after ``recheck_seconds`` (at least one
    is done); a space another request is already re-checking is left to it.
    """
    policy = freshness()
    now = now or timezone.now()
    started = [s for s in spaces if s.state != NOT_STARTED]
    have = {c.space_id: c for c in CheckSummary.objects.filter(space_id__in=[s.pk for s in started])}
    due = []
    for space in started:
        c = have.get(space.pk)
        if c is None or c.engine != engine_key():
            due.append((0, now, space))
        elif c.revision != space.revision and (now - c.checked_at).total_seconds() >= policy.max_age_seconds:
            due.append((1, c.checked_at, space))
    due.sort(key=lambda d: (d[0], d[1], d[2].account))
    deadline = time.monotonic() + policy.recheck_seconds
    for _, _, space in due:
        with _LOCK:
            if space.pk in _REFRESHING:
                continue
            _REFRESHING.add(space.pk)
        try:
            have[space.pk] = refresh_summary(space)
        finally:
            with _LOCK:
                _REFRESHING.discard(space.pk)
        if time.monotonic() >= deadline:
            break
    return have


# ---------------------------------------------------------------- dashboard


@dataclass
class Row:
    seq: int  # position in 附件1 (1..48)
    cluster: Any
    space: ClusterSpace
    summary: CheckSummary | None  # None: not started (not checked), or not checked yet

    @property
    def started(self) -> bool:
        return self.space.state != NOT_STARTED

    @property
    def checked(self) -> bool:
        return self.summary is not None

    @property
    def stale(self) -> bool:
        """The cluster changed since its figures were checked (they are shown with their time)."""
        return self.summary is not None and (self.summary.revision != self.space.revision
                                             or self.summary.engine != engine_key())

    @property
    def checked_at(self):
        return self.summary.checked_at if self.summary is not None else None

    @property
    def problem(self) -> str | None:
        return (self.summary.problem or None) if self.summary is not None else None

    def _figure(self, name: str):
        if self.summary is None or self.summary.problem:
            return None
        return getattr(self.summary, name)

    @property
    def errors(self) -> int | None:
        return self._figure("errors")

    @property
    def warnings(self) -> int | None:
        return self._figure("warnings")

    @property
    def infos(self) -> int | None:
        return self._figure("infos")

    @property
    def zishu(self) -> int | None:
        return self._figure("zishu")

    @property
    def band(self) -> str | None:
        return self._figure("band") or None

    @property
    def coverage(self) -> float | None:
        return self._figure("coverage")

    @property
    def coverage_pct(self) -> int | None:
        from reportsmith.core.numfmt import round_half_up

        return None if self.coverage is None else int(round_half_up(self.coverage * 100, 0))

    @property
    def evidence(self) -> tuple[int, int] | None:
        """(attached, required) items of the 佐证材料清单, or None without an evidence list."""
        if self._figure("evidence_required") is None:
            return None
        return self.summary.evidence_attached, self.summary.evidence_required

    @property
    def evidence_missing(self) -> int | None:
        ev = self.evidence
        return None if ev is None else ev[1] - ev[0]

    def to_json(self) -> dict[str, Any]:
        ev = self.evidence
        return {
            "seq": self.seq,
            "account": self.cluster.account,
            "name": self.cluster.name,
            "level": self.cluster.level,
            "level_seq": self.cluster.seq,
            "state": self.space.state,
            "state_label": self.space.state_label,
            "submitted_at": self.space.submitted_at.isoformat() if self.space.submitted_at else None,
            "zishu": self.zishu,
            "band": self.band,
            "coverage": round(self.coverage, 4) if self.coverage is not None else None,
            "errors": self.errors,
            "warnings": self.warnings,
            "infos": self.infos,
            "evidence": {"attached": ev[0], "required": ev[1]} if ev else None,
            "problem": self.problem,
            "checked_at": self.checked_at.isoformat() if self.checked_at else None,
            "stale": self.stale,
        }


def _sort_value(row: Row, column: str):
    return {
        "seq": row.seq,
        "name": row.cluster.name,
        "level": LEVELS.index(row.cluster.level) if row.cluster.level in LEVELS else 9,
        "state": [c for c, _ in STATE_CHOICES].index(row.space.state),
        "submitted": row.space.submitted_at,
        "zishu": row.zishu,
        "coverage": row.coverage,
        "errors": row.errors,
        "warnings": row.warnings,
        "evidence": row.evidence_missing,
    }[column]


SORT_COLUMNS = ("seq", "level", "name", "state", "submitted", "zishu", "coverage", "errors", "warnings", "evidence")


@dataclass(frozen=True)
class Query:
    """The dashboard's filter and sort, read from the query string (?level=&state=&sort=&dir=)."""

    level: str = ""
    state: str = ""
    sort: str = "seq"
    desc: bool = False

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, "")

    @classmethod
    def from_params(cls, params) -> "Query":
        level = params.get("level", "")
        state = params.get("state", "")
        sort = params.get("sort", "seq")
        return cls(
            level=level if level in LEVELS else "",
            state=state if state in STATE_LABELS else "",
            sort=sort if sort in SORT_COLUMNS else "seq",
            desc=params.get("dir") == "desc",
        )

    def params(self, **change) -> str:
        from urllib.parse import urlencode

        d = {"level": self.level, "state": self.state, "sort": self.sort, "dir": "desc" if self.desc else ""}
        d.update(change)
        return urlencode({k: v for k, v in d.items() if v})


def all_rows() -> list[Row]:
    """Every cluster of 附件1, in its order, with its stored summary (None when not started)."""
    store.ensure_spaces()
    spaces = {s.account: s for s in ClusterSpace.objects.all()}  # revisions read before any check
    summaries = current_summaries(list(spaces.values()))
    rows = []
    for i, c in enumerate(ws_engine.load_clusters(), start=1):
        space = spaces[c.account]
        rows.append(Row(i, c, space, summaries.get(space.pk) if space.state != NOT_STARTED else None))
    return rows


def dashboard_rows(query: Query, rows: list[Row] | None = None) -> list[Row]:
    rows = all_rows() if rows is None else rows
    rows = [r for r in rows if (not query.level or r.cluster.level == query.level) and (not query.state or r.space.state == query.state)]
    present = [r for r in rows if _sort_value(r, query.sort) is not None]
    absent = [r for r in rows if _sort_value(r, query.sort) is None]
    present.sort(key=lambda r: (_sort_value(r, query.sort), r.seq), reverse=query.desc)
    return present + absent  # clusters without the figure stay last either way


def state_counts(rows: list[Row]) -> list[tuple[str, str, int]]:
    return [(code, label, sum(1 for r in rows if r.space.state == code)) for code, label in STATE_CHOICES]


# ---------------------------------------------------------------- charts

CHARTS = {"zishu": "各集群字数", "coverage": "提纲内容项覆盖", "indicators": "主要指标（国家级与省级）"}
_DRAW_LOCK = threading.Lock()


def cache_dir() -> Path:
    return Path(settings.FILES_DIR).parent / "cache"


def _point(r: Row):
    """The cluster as the charts see it, from its stored summary (unchecked: no figures)."""
    if r.zishu is None:
        return engine.ClusterPoint(r.cluster)
    return engine.ClusterPoint(r.cluster, r.zishu, r.band, {(h, t): o for h, t, o in r.summary.topics})


def _forms(rows: list[Row]) -> list[tuple[str, Any]]:
    """(level, FormData) of every checked cluster with a form: what the indicator chart sums."""
    out = []
    for r in rows:
        if r.zishu is not None and r.space.form is not None:
            form, _ = live.form_records(r.space)
            if form is not None:
                out.append((r.cluster.level, form))
    return out


def _year(rows: list[Row]) -> int | None:
    years = [r.space.year for r in rows if r.started]
    return max(set(years), key=years.count) if years else None


def chart_path(name: str, rows: list[Row]) -> Path:
    """Where the chart over these rows is cached: named by the hash of what it draws (the rows'
    stored figures; for the indicators, the forms)."""
    if name not in CHARTS:
        raise KeyError(name)
    h = hashlib.sha256(name.encode())
    for r in rows:
        p = _point(r)
        h.update(json.dumps([r.cluster.account, p.zishu, p.band, sorted(p.topics.items())], ensure_ascii=False).encode())
        if name == "indicators" and p.zishu is not None:
            h.update(json.dumps([r.space.year, r.space.form], ensure_ascii=False, default=str).encode())
    return cache_dir() / "charts" / f"{name}-{h.hexdigest()[:40]}.png"


def chart_png(name: str, rows: list[Row] | None = None) -> bytes:
    """The PNG of one chart over all clusters (the dashboard's rows); drawn once per distinct
    input (file cache)."""
    rows = all_rows() if rows is None else rows
    path = chart_path(name, rows)
    if path.is_file():
        return path.read_bytes()
    with _DRAW_LOCK:
        if name == "indicators":
            return engine.province_indicator_chart(engine.province_indicators(_forms(rows)), path, year=_year(rows))
        draw = engine.zishu_chart if name == "zishu" else engine.coverage_chart
        return draw([_point(r) for r in rows], path)


def chart_problem() -> str | None:
    """Why the charts cannot be drawn on this server (no CJK font), or None."""
    try:
        engine.cjk_font()
    except ws_engine.ReportsmithError as exc:
        return exc.text()
    return None


# ---------------------------------------------------------------- review


def form_table(assembled) -> list[dict[str, Any]]:
    """附件2 as it prints: every row of the spec with this year's and last year's value."""
    form = assembled.form if assembled else None
    out = []
    for row in engine.form_rows():
        cur = prev = None
        if form is not None and row.key:
            cur, prev = form.values.get(row.key), form.previous.get(row.key)
        out.append({"row": row, "value": "" if cur is None else str(cur), "previous": "" if prev is None else str(prev)})
    return out


def comments(space: ClusterSpace):
    return list(ReviewComment.objects.filter(space=space).order_by("created_at", "id"))


def audit_log(space: ClusterSpace):
    """The cluster's audit entries, oldest first."""
    return list(space.audit.order_by("created_at", "id"))


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def _place_label(kind: str, place: str) -> str:
    if kind == HEADING:
        return f"标题“{place}”"
    if kind == ROW:
        row = next((r for r in engine.form_rows() if r.key == place), None)
        return f"报表行“{row.label if row else place}”"
    return "整体"


def add_comment(space: ClusterSpace, user, kind: str, place: str, text: str) -> ReviewComment:
    text = (text or "").strip()
    if not text:
        raise DeskError("意见为空：请在文本框中写下意见后再保存。")
    if len(text) > 2000:
        raise DeskError(f"意见过长（{len(text)} 字）：请控制在 2000 字以内。")
    if kind == HEADING:
        h = ws_engine.find_heading(place)
        if h is None:
            raise DeskError(f"附件3中没有标题“{place}”：请在页面上对应标题处填写意见。")
        place = h.title
    elif kind == ROW:
        if place not in {r.key for r in engine.form_rows() if r.key}:
            raise DeskError(f"附件2中没有报表行“{place}”：请在页面上对应报表行处填写意见。")
    else:
        raise DeskError("意见的位置应为标题或报表行。")
    with transaction.atomic():
        c = ReviewComment.objects.create(space=space, place_kind=kind, place=place, text=text,
                                         author=user, username=user.username)
        audit(space, user, "comment", f"{_place_label(kind, place)}：{text}")
    return c


def _transition(space: ClusterSpace, action: str) -> str:
    new = TRANSITIONS.get(space.state, {}).get(action)
    if new is None:
        what = "退回" if action == "return" else "通过"
        raise DeskError(f"报告处于“{space.state_label}”状态，不能{what}：只有已提交的报告可以{what}"
                        + ("（已通过的报告也可退回）。" if action == "return" else "。"))
    return new


def return_space(space: ClusterSpace, user, reason: str) -> int:
    """退回修改: the report becomes editable again; the drafts of comments go out with the reason.
    Returns how many comments were sent."""
    reason = (reason or "").strip()
    if not reason:
        raise DeskError("退回修改须写明理由：请在“退回理由”中写下需要修改的地方。")
    if len(reason) > 2000:
        raise DeskError(f"退回理由过长（{len(reason)} 字）：请控制在 2000 字以内。")
    with transaction.atomic():
        space = ClusterSpace.objects.select_for_update().get(pk=space.pk)
        new = _transition(space, "return")
        now = timezone.now()
        ReviewComment.objects.create(space=space, place_kind=GENERAL, place="", text=reason,
                                     author=user, username=user.username, created_at=now)
        sent = ReviewComment.objects.filter(space=space, sent_at__isnull=True).update(sent_at=now)
        space.state = new
        space.save()
        audit(space, user, "return", f"退回修改：{reason}（随附意见 {sent - 1} 条）")
    return sent - 1


def approve_space(space: ClusterSpace, user) -> None:
    with transaction.atomic():
        space = ClusterSpace.objects.select_for_update().get(pk=space.pk)
        space.state = _transition(space, "approve")
        space.save()
        audit(space, user, "approve", "审核通过")


def writer_comments(space: ClusterSpace) -> list[ReviewComment]:
    """The comments the writer sees: those sent with the latest return (reason first)."""
    latest = (ReviewComment.objects.filter(space=space, sent_at__isnull=False)
              .order_by("-sent_at").values_list("sent_at", flat=True).first())
    if latest is None:
        return []
    sent = list(ReviewComment.objects.filter(space=space, sent_at=latest).order_by("created_at", "id"))
    return sorted(sent, key=lambda c: c.place_kind != GENERAL)


# ---------------------------------------------------------------- compendium and export


def review_yaml() -> str:
    """``review.yaml`` as the engine's compendium reads it: 账号 → state label."""
    return yaml.safe_dump({s.account: s.state_label for s in ClusterSpace.objects.order_by("account")},
                          allow_unicode=True, sort_keys=True)


def materialize_all(folder: Path, *, only_approved: bool = False) -> list[str]:
    """Write every started cluster (or only those 已通过) as ``folder/<账号>/``, and
    ``review.yaml`` with every cluster's state; return the accounts written."""
    folder.mkdir(parents=True, exist_ok=True)
    done = []
    spaces = ClusterSpace.objects.exclude(state=NOT_STARTED)
    if only_approved:
        spaces = spaces.filter(state=APPROVED)
    for space in spaces.order_by("account"):
        store.export_space(space, folder / space.account)
        done.append(space.account)
    (folder / engine.REVIEW_FILE).write_text(review_yaml(), encoding="utf-8")
    return done


__all__ = [
    "APPROVED", "RETURNED", "SUBMITTED", "DeskError", "Query", "Row", "Snapshot", "add_comment", "all_rows",
    "approve_space", "audit_log", "chart_png", "comments", "current_summaries", "dashboard_rows",
    "freshness", "refresh_summary", "return_space", "snapshot",
    "writer_comments",
]
