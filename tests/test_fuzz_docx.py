"""Fuzz: mutated .docx bytes give a CheckResult or a ReportsmithError, never anything else."""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import docx_corpus as C
from reportsmith.checks import submitted
from reportsmith.records.checkresult import CheckResult
from reportsmith.core.errors import ReportsmithError

# hypothesis cannot use pytest's per-test tmp_path inside @given: one folder for the module.
_DIR = Path(tempfile.mkdtemp(prefix="fuzzdocx"))


def _seed() -> tuple[bytes, bytes]:
    """A valid report using most structures (automatic numbering, tracked changes, notes, boxes)."""
    path = _DIR / "seed.docx"
    C.build_report(path, C.Spec(mode="autonum", extras=True))
    with zipfile.ZipFile(path) as z:
        return path.read_bytes(), z.read("word/document.xml")


_VALID, _XML = _seed()
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _assert_clean_outcome(path: Path) -> None:
    """A check result, or a Chinese message with exit code 2: never another exception."""
    try:
        result = submitted.check_docx(path)
    except ReportsmithError as exc:
        assert _CHINESE.search(exc.message) and exc.exit_code == 2
    else:
        assert isinstance(result, CheckResult)


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(_VALID)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] ^= draw(st.integers(1, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        else:
            data = data[:pos]
    return bytes(data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_docx_gives_only_clean_outcomes(data):
    path = _DIR / "fuzz.docx"
    path.write_bytes(data)
    _assert_clean_outcome(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_XML) - 1), st.binary(max_size=8), st.integers(0, 16)), min_size=1, max_size=6))
def test_mutated_document_xml_gives_only_clean_outcomes(edits):
    # Zip intact, XML damaged: reaches the XML parser and the body walker.
    xml = bytearray(_XML)
    for pos, insert, delete in edits:
        xml[pos : pos + delete] = insert
    path = _DIR / "fuzzxml.docx"
    path.write_bytes(C.replace_part(_VALID, "word/document.xml", bytes(xml)))
    _assert_clean_outcome(path)
