"""Fuzz: mutated .docx bytes give a CheckResult or a ReportsmithError, never anything else."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import docx_corpus as C
from reportsmith import submitted
from reportsmith.checkresult import CheckResult
from reportsmith.errors import ReportsmithError

_DIR = Path(tempfile.mkdtemp(prefix="fuzzdocx"))
_VALID = (lambda p: (C.build_report(p, C.Spec(mode="autonum", extras=True)), p.read_bytes())[1])(_DIR / "seed.docx")


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
    try:
        result = submitted.check_docx(path)
    except ReportsmithError as exc:
        assert exc.text() and exc.exit_code == 2
    else:
        assert isinstance(result, CheckResult)


_XML = __import__("zipfile").ZipFile(_DIR / "seed.docx").read("word/document.xml")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_XML) - 1), st.binary(max_size=8), st.integers(0, 16)), min_size=1, max_size=6))
def test_mutated_document_xml_gives_only_clean_outcomes(edits):
    # Zip intact, XML damaged: reaches the XML parser and the body walker.
    xml = bytearray(_XML)
    for pos, insert, delete in edits:
        xml[pos : pos + delete] = insert
    path = _DIR / "fuzzxml.docx"
    path.write_bytes(C.replace_part(_VALID, "word/document.xml", bytes(xml)))
    try:
        result = submitted.check_docx(path)
    except ReportsmithError as exc:
        assert exc.text() and exc.exit_code == 2
    else:
        assert isinstance(result, CheckResult)
