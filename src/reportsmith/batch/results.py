"""What a batch run returns: every cluster's result in registry order, stray folders, the summary files.

Kept apart from :mod:`reportsmith.batch.run` so that the summary writers can read a result
without importing the runner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportsmith.batch._work import STATUS_BUILT, STATUS_FAILED, STATUS_MISSING, STATUS_PROBLEMS, ClusterResult
from reportsmith.batch.rollup import RollupSums
from reportsmith.core.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE

STATUSES = (STATUS_BUILT, STATUS_PROBLEMS, STATUS_FAILED, STATUS_MISSING)


@dataclass
class Stray:
    """A folder under inputs/ whose name is no account of the registry."""

    folder: str
    suggestion: str | None = None

    def text(self) -> str:
        hint = f"是否想写“{self.suggestion}”？" if self.suggestion else "可用 reportsmith clusters 查看全部账号"
        return f"inputs 下的文件夹“{self.folder}”不是附件1中的任何账号，未处理（{hint}）"


@dataclass
class BatchResult:
    """Every cluster's result, in registry order, and the summary files written."""

    inputs: Path
    out: Path
    clusters: list[ClusterResult]
    strays: list[Stray] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)  # summary name → path
    rollup: RollupSums = field(default_factory=RollupSums)  # the forms' running sums, added as results came

    def count(self, status: str) -> int:
        """How many clusters have ``status``."""
        return sum(1 for r in self.clusters if r.status == status)

    def counts_text(self) -> str:
        """``已生成 2 个，有问题 1 个，无法生成 0 个，未提交 45 个``."""
        return "，".join(f"{s} {self.count(s)} 个" for s in STATUSES)

    @property
    def exit_code(self) -> int:
        """2 if a cluster could not be built; 1 if one has problems, is 未提交, or a folder is stray; else 0."""
        if any(r.status == STATUS_FAILED for r in self.clusters):
            return EXIT_UNREADABLE
        if self.strays or any(r.status in (STATUS_PROBLEMS, STATUS_MISSING) for r in self.clusters):
            return EXIT_PROBLEMS
        return EXIT_OK

    def to_json(self) -> dict[str, Any]:
        return {
            "inputs": str(self.inputs),
            "out": str(self.out),
            "exit_code": self.exit_code,
            "counts": {s: self.count(s) for s in STATUSES},
            "clusters": [r.to_json() for r in self.clusters],
            "strays": [{"folder": s.folder, "suggestion": s.suggestion, "message": s.text()} for s in self.strays],
            "files": {k: str(v) for k, v in self.files.items()},
        }
