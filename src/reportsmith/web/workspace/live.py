"""Checks of records held in memory: the engine's own steps, without writing files.

The full check parses the stored report mapping with the engine's ``parse_report``, the
form with ``check_form_mapping`` and assembles with ``assemble_report`` — the same steps
``reportsmith check`` runs after reading its files. Only evidence.yaml and the uploaded
files are read from a folder (a mirror under the data folder, rebuilt when they change),
because the evidence checks look at real files.

The heading check assembles one heading with ``assemble_section`` and measures it with
``section_zishu`` and ``topic_coverage``; the other headings' 字数 are cached per version.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from .. import engine
from . import store
from .models import ClusterSpace

_LOCK = threading.Lock()


class _LRU(OrderedDict):
    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_or(self, key, make):
        with _LOCK:
            if key in self:
                self.move_to_end(key)
                return self[key]
        value = make()
        with _LOCK:
            self[key] = value
            if len(self) > self.size:
                self.popitem(last=False)
        return value


_FORMS = _LRU(128)
_SENTENCES = _LRU(128)
_ZISHU = _LRU(4096)


def _digest(obj: Any) -> str:
    return hashlib.sha1(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def form_records(space: ClusterSpace):
    """(FormData, findings) of the stored form, or (None, [])."""
    if space.form is None:
        return None, []
    return _FORMS.get_or(_digest(space.form), lambda: engine.check_form_mapping(space.form, file=store.FORM_FILE))


def _sentences(form) -> dict[str, list[str]]:
    if form is None:
        return {}
    return _SENTENCES.get_or(_digest([form.values, form.previous, form.year]), lambda: engine.section_sentences(form))


def evidence_folder(space: ClusterSpace) -> Path:
    """A folder with the space's evidence.yaml and files, shared by checks until they change."""
    files = sorted(space.files.values_list("path", "sha256"))
    key = _digest([space.account, space.year, space.evidence, files])[:16]
    base = Path(settings.DATA_DIR) / "mirror" / space.account
    target = base / key
    if target.is_dir():
        return target
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=base, prefix=".tmp-"))
    ev = store.evidence_yaml(space)
    if ev is not None:
        (tmp / engine.EVIDENCE_FILE).write_text(ev, encoding="utf-8")
    for path, sha in files:
        dest = tmp / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        src = store.blob_path(sha)
        if src.exists():
            try:
                os.link(src, dest)
            except OSError:
                shutil.copyfile(src, dest)
    try:
        os.rename(tmp, target)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another request made it first
    for old in base.iterdir():
        if old.name != key and not old.name.startswith(".tmp-"):
            shutil.rmtree(old, ignore_errors=True)
    return target


def full_check(space: ClusterSpace):
    """The engine's check of the space (the same findings as ``reportsmith check`` of its export,
    with locations named ``report.yaml`` / ``form.yaml`` and no line numbers)."""
    return assemble_and_check(space)[1]


def assemble_and_check(space: ClusterSpace):
    """(Assembled, CheckResult) of the space, from the records in memory."""
    mapping = store.report_mapping(space)
    report = engine.parse_report(mapping, engine.LineMap(), store.REPORT_FILE)
    form, form_findings = form_records(space)
    assembled = engine.assemble_report(report, form, form_findings, evidence_folder(space))
    return assembled, engine.check_assembled(assembled, report)


@dataclass
class HeadingFeedback:
    heading: Any
    zishu: int
    budget: int
    balance: str | None
    total: int
    target: int
    band: str
    topics: list = field(default_factory=list)
    findings: list = field(default_factory=list)  # figure errors and prose warnings
    paragraphs: list[str] = field(default_factory=list)  # the text as printed (figures filled)
    highlights: list[str] = field(default_factory=list)


def _assemble(space: ClusterSpace, heading, content: Any, form) -> tuple[Any, list]:
    """One heading assembled by the engine; ``content`` is its value in report.yaml."""
    # The engine reads the value exactly as it reads report.yaml (keyed topics, 其他, markers …).
    report = engine.parse_report(
        {"cluster": space.account, "year": space.year, **store.top_level(space), "sections": {heading.title: content or None}},
        engine.LineMap(), store.REPORT_FILE,
    )
    si = report.sections.get(heading.title)
    blocks, keyed = (si.blocks, si.keyed_topics) if si is not None else ([], frozenset())
    section, errors = engine.assemble_section(heading, blocks, form, keyed=keyed, file=store.REPORT_FILE)
    if form is not None:
        engine.place_highlights(section, report, form, _sentences(form))
    return section, errors


def heading_feedback(space: ClusterSpace, heading, text: str) -> HeadingFeedback:
    """字数, topics, figure and prose findings of one heading as typed, and the report's total."""
    form, _ = form_records(space)
    section, errors = _assemble(space, heading, text, form)
    n = engine.section_zishu(section)
    rule = engine.length_rule()
    present = bool(section.paragraphs or section.highlights)
    findings = [e for e in errors]
    if form is not None and section.paragraphs:
        findings += engine.check_prose({heading.title: "\n\n".join(section.paragraphs)}, form, file=store.REPORT_FILE)
    total = n
    form_key = _digest([form.values, form.previous]) if form is not None else ""
    for sv in store.current_sections(space).values():
        if sv.heading == heading.title:
            continue
        h = engine.find_heading(sv.heading)
        if h is None:
            continue

        def count(sv=sv, h=h):
            return engine.section_zishu(_assemble(space, h, sv.value, form)[0])

        total += _ZISHU.get_or((space.account, sv.heading, sv.version, form_key), count)
    saved = {sv.heading for sv in store.current_sections(space).values()}
    for h in engine.headings():
        if h.title != heading.title and h.title not in saved and form is not None:
            total += _ZISHU.get_or((space.account, h.title, 0, form_key), lambda h=h: engine.section_zishu(_assemble(space, h, "", form)[0]))
    return HeadingFeedback(
        heading=heading,
        zishu=n,
        budget=heading.budget,
        balance=rule.balance(n, heading.budget, present),
        total=total,
        target=rule.target,
        band=rule.band(total),
        topics=engine.topic_coverage(section, heading),
        findings=findings,
        paragraphs=list(section.paragraphs),
        highlights=list(section.highlights),
    )
