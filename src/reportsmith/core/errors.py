"""One error tree and one finding record for the whole project.

Two kinds of trouble exist:

* :class:`InputError` — an input cannot be read at all (missing file, YAML syntax
  error, unknown heading, hostile .docx). The command stops for that input; the CLI
  maps it to exit code 2.
* :class:`Finding` — something is wrong *inside* a readable input (a child row above
  its parent, a missing topic, a length out of band). Findings are collected, never
  raised, so a user sees every problem of a file at once; any ``error`` or ``warning``
  finding makes a check exit with code 1.

Messages are Chinese because users read them; every one names the file, the field
or row, what is wrong and how to fix it.
"""

from __future__ import annotations

import errno
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Iterable

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_UNREADABLE = 2


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "错误", "warning": "警告", "info": "提示"}[self.value]


def _location(file: str | None, line: int | None, key: str | None) -> str:
    parts = []
    if file:
        parts.append(f"{file}:{line}" if line else file)
    if key:
        parts.append(key)
    return " ".join(parts)


@dataclass(frozen=True)
class Finding:
    """A problem found inside a readable input.

    ``rule`` is a stable identifier (``form.child_above_parent``); ``key`` is the
    field, row key or heading the finding is about; ``hint`` says how to fix it.
    """

    severity: Severity
    rule: str
    message: str
    file: str | None = None
    line: int | None = None
    key: str | None = None
    hint: str | None = None
    measured: Any = None
    limit: Any = None

    @property
    def location(self) -> str:
        return _location(self.file, self.line, self.key)

    @property
    def where(self) -> str:
        return self.location

    @property
    def is_problem(self) -> bool:
        return self.severity in (Severity.ERROR, Severity.WARNING)

    def text(self) -> str:
        """The message as a user reads it: location, message, hint."""
        out = f"{self.location}：{self.message}" if self.location else self.message
        if self.hint:
            out += f"（{self.hint}）"
        return out

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["location"] = self.location
        data["where"] = self.location
        for k in ("measured", "limit"):
            if data[k] is not None and not isinstance(data[k], (int, float, str, bool)):
                data[k] = str(data[k])
        return data


def split_findings(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Group findings by severity: ``{"errors": [...], "warnings": [...], "infos": [...]}``."""
    out: dict[str, list[Finding]] = {"errors": [], "warnings": [], "infos": []}
    for f in findings:
        out[{"error": "errors", "warning": "warnings", "info": "infos"}[f.severity.value]].append(f)
    return out


def exit_code_for(findings: Iterable[Finding]) -> int:
    return EXIT_PROBLEMS if any(f.is_problem for f in findings) else EXIT_OK


# Why a file could not be read or written, in words a user can act on: the operating
# system's own text (OSError.strerror) is English.
_OS_REASONS = {
    errno.EACCES: "没有访问权限",
    errno.EPERM: "没有访问权限",
    errno.EROFS: "所在磁盘是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.ENOENT: "路径不存在",
    errno.ENOTDIR: "路径中有一级是文件而不是文件夹",
    errno.EEXIST: "路径中有一级是文件而不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EBUSY: "文件正被其他程序占用",
}


def os_error_reason(exc: OSError) -> str:
    """The cause of an ``OSError`` in Chinese (the system's text when no translation is known).

    >>> os_error_reason(PermissionError(errno.EACCES, "Permission denied"))
    '没有访问权限'
    """
    return _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))


class ReportsmithError(Exception):
    """Base of every error reportsmith raises on purpose."""

    exit_code = EXIT_UNREADABLE

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        key: str | None = None,
        hint: str | None = None,
        details: list[str] | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.key = key
        self.hint = hint
        self.details = list(details or [])
        super().__init__(self.text())

    @property
    def location(self) -> str:
        return _location(self.file, self.line, self.key)

    def text(self) -> str:
        out = f"{self.location}：{self.message}" if self.location else self.message
        if self.hint:
            out += f"（{self.hint}）"
        for d in self.details:
            out += f"\n  - {d}"
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": "error",
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "key": self.key,
            "hint": self.hint,
            "location": self.location,
            "details": self.details,
        }


class InputError(ReportsmithError):
    """An input file cannot be read or understood; the command stops for it (exit 2)."""


class TemplateError(ReportsmithError):
    """A Word template cannot be rendered (syntax error, missing variable)."""


class UnsafeFileError(InputError):
    """A submitted or evidence file is refused before it is read (zip bomb, path escape…)."""
