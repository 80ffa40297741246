"""The package layout is the architecture: imports point down the layers, never up.

The contracts live in pyproject.toml ([tool.importlinter]); docs/architecture.md explains
each layer. A module added in the wrong place, or an import pointing up (core importing
the CLI, a check importing the report builder), fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "reportsmith"
LINT = Path(sys.executable).with_name("lint-imports")
LAYERS = ["core", "docx", "registry", "outline", "form", "records", "evidence", "compute", "checks", "report", "batch", "cli"]


def _lint(package_parent: Path, config: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run([str(LINT), "--config", str(config), "--no-cache"], capture_output=True, text=True, env=env, cwd=package_parent)


def test_imports_follow_the_layers():
    run = _lint(PACKAGE.parent, REPO / "pyproject.toml")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_an_import_pointing_up_breaks_the_contract(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(PACKAGE, copy / "reportsmith", ignore=shutil.ignore_patterns("__pycache__"))
    errors = copy / "reportsmith" / "core" / "errors.py"
    errors.write_text(errors.read_text(encoding="utf-8") + "\nfrom reportsmith.report import build  # wrong way\n", encoding="utf-8")
    config = tmp_path / "pyproject.toml"
    shutil.copy(REPO / "pyproject.toml", config)
    run = _lint(copy, config)
    assert run.returncode != 0
    assert "reportsmith.core.errors -> reportsmith.report.build" in run.stdout


@pytest.mark.parametrize("layer", LAYERS)
def test_every_layer_is_a_folder_that_says_what_it_owns(layer):
    init = PACKAGE / layer / "__init__.py"
    doc = init.read_text(encoding="utf-8")
    assert doc.startswith('"""') and len(doc) > 60, f"{init} needs a docstring saying what the folder owns"


def test_no_module_is_left_beside_the_layers():
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert loose == [], f"modules outside any layer folder: {loose}"
