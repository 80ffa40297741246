"""The bounds every input is checked against before any work (``data/limits.yaml``).

One place answers "is this file small and plain enough to read?" for every command and
for the web workspace:

* :func:`open_regular` / :func:`read_regular` refuse what is not a regular file (a named
  pipe, a device, a socket, a folder named like a file) without blocking on it, and a
  file over the size limit of its kind, before a byte is read;
* :func:`check_zip` refuses a .docx/.xlsx whose directory declares too many members,
  too large a part or too high a compression ratio, before anything is expanded;
* :func:`read_member` reads one zip member, never more than the limit, whatever it declared.
"""

from __future__ import annotations

import errno
import os
import stat
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from reportsmith.core.errors import InputError, UnsafeFileError, os_error_reason
from reportsmith.core.resources import load_data

MB = 1024 * 1024

# What each kind of file is called in a message.
_KIND_ZH = {"yaml": "YAML 文件", "xlsx": "Excel 文件", "docx": "Word 文件", "evidence": "佐证材料文件"}


# A deployment raises or lowers a bound without editing the installed package: the file
# named here overrides single numbers of data/limits.yaml (same sections and keys).
OVERRIDE_ENV = "REPORTSMITH_LIMITS"


@lru_cache(maxsize=None)
def _data() -> dict[str, Any]:
    data = load_data("limits.yaml")
    path = os.environ.get(OVERRIDE_ENV)
    return _merge(data, Path(path), _read_override(Path(path))) if path else data


def _read_override(path: Path) -> Any:
    import yaml  # the package data is parsed the same way; kept local, few commands set the variable

    where = f"环境变量 {OVERRIDE_ENV} 指定的上限文件"
    if not path.exists():
        raise InputError(f"{where}不存在", file=path, hint=f"请检查路径，或取消该环境变量（unset {OVERRIDE_ENV}）")
    try:
        with open_regular(path, limit_bytes=MB) as f:  # not by kind: that would read these very limits
            return yaml.safe_load(f.read().decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{where}不是 UTF-8 编码的文本", file=path, hint="请用 UTF-8 保存该文件") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{where}不是有效的 YAML：{exc}", file=path, hint="格式与 data/limits.yaml 相同，如 batch: {seconds_per_cluster: 60}") from None


def _merge(data: dict[str, Any], path: Path, override: Any) -> dict[str, Any]:
    """The package's limits with the override's numbers put in; unknown names and non-numbers refused."""
    hint = (f"该文件由环境变量 {OVERRIDE_ENV} 指定，只能写 data/limits.yaml 中已有的节和项，值为正数，"
            "如 batch: {seconds_per_cluster: 60}")
    if override is None:
        return data
    if not isinstance(override, dict):
        raise InputError("上限文件的顶层应是“节: {项: 数值}”的映射", file=path, hint=hint)
    merged = {k: dict(v) for k, v in data.items()}
    for section, values in override.items():
        if section not in merged:
            raise InputError(f"没有名为“{section}”的上限节", file=path, key=str(section), hint=hint)
        if not isinstance(values, dict):
            raise InputError(f"“{section}”下应是“项: 数值”的映射", file=path, key=str(section), hint=hint)
        for key, value in values.items():
            if key not in merged[section]:
                raise InputError(f"“{section}”节中没有名为“{key}”的项", file=path, key=f"{section}.{key}", hint=hint)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise InputError(f"“{section}.{key}”的值“{value}”不是正数", file=path, key=f"{section}.{key}", hint=hint)
            merged[section][key] = value
    return merged


def limit(section: str, key: str) -> int:
    """One number of ``data/limits.yaml``: ``limit("text", "max_paragraph_chars")``."""
    return int(_data()[section][key])


def file_limit(kind: str) -> int:
    """The size limit in bytes of a file of ``kind`` (yaml, xlsx, docx, evidence)."""
    return int(float(_data()["file_mb"][kind]) * MB)


def mb(n: float) -> str:
    """``1.5 MB`` / ``12 MB``: a size in a message."""
    v = n / MB
    return f"{v:.1f} MB" if v < 10 else f"{v:.0f} MB"


def special_kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "文件夹"
    if stat.S_ISFIFO(mode):
        return "命名管道"
    if stat.S_ISSOCK(mode):
        return "套接字"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    return "特殊文件"


def not_regular_error(path: Path, what: str) -> InputError:
    return InputError(
        f"这是一个{what}，不是普通文件，已拒绝读取",
        file=path,
        hint="请放入真正的文件（可用资源管理器或 ls -l 查看它的类型）",
    )


def regular_size(path: str | Path) -> int:
    """The size of ``path`` after checking it is a regular file (symbolic links followed), without opening it."""
    path = Path(path)
    st = os.stat(path)  # OSError propagates: callers word "missing" in their own terms
    what = special_kind(st.st_mode)
    if what == "文件夹":
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    if what:
        raise not_regular_error(path, what)
    return st.st_size


def check_size(path: Path, size: int, kind: str, *, limit_bytes: int | None = None) -> None:
    top = file_limit(kind) if limit_bytes is None else limit_bytes
    if size > top:
        raise InputError(
            f"{_KIND_ZH.get(kind, '文件')}过大（{mb(size)}，上限 {mb(top)}），已拒绝读取",
            file=path,
            hint="正常的填报材料远小于此；请检查是否放错了文件，或删去粘贴进来的大段无关内容",
        )


def open_regular(path: str | Path, kind: str | None = None, *, limit_bytes: int | None = None) -> BinaryIO:
    """Open ``path`` for reading if it is a regular file within the limit of ``kind``.

    The file is checked before it is opened and again on the open descriptor (opened
    non-blocking, so a named pipe put in its place meanwhile cannot stall the program).
    """
    path = Path(path)
    size = regular_size(path)
    if kind is not None or limit_bytes is not None:
        check_size(path, size, kind or "evidence", limit_bytes=limit_bytes)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        what = special_kind(st.st_mode)
        if what:
            raise not_regular_error(path, what)
        if kind is not None or limit_bytes is not None:
            check_size(path, st.st_size, kind or "evidence", limit_bytes=limit_bytes)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | Path, kind: str, *, limit_bytes: int | None = None) -> bytes:
    """The bytes of a regular file within the limit of ``kind``; never more than the limit."""
    top = file_limit(kind) if limit_bytes is None else limit_bytes
    with open_regular(path, kind, limit_bytes=limit_bytes) as fh:
        data = fh.read(top + 1)
    check_size(Path(path), len(data), kind, limit_bytes=limit_bytes)
    return data


def read_text_input(path: str | Path, kind: str = "yaml") -> bytes:
    """:func:`read_regular` with missing files and OS errors worded in Chinese."""
    path = Path(path)
    try:
        return read_regular(path, kind)
    except FileNotFoundError:
        raise InputError("文件不存在", file=path, hint="请检查路径，或用 reportsmith init 生成模板") from None
    except OSError as exc:
        raise InputError(f"无法读取文件：{os_error_reason(exc)}", file=path) from None


@dataclass(frozen=True)
class ZipLimits:
    max_members: int
    max_part: int
    max_total: int
    max_ratio: int

    @classmethod
    def default(cls) -> "ZipLimits":
        return cls(limit("zip", "max_members"), limit("zip", "max_part_mb") * MB, limit("zip", "max_total_mb") * MB,
                   limit("zip", "max_ratio"))


def check_zip(zf: zipfile.ZipFile, path: Path, limits: ZipLimits | None = None) -> None:
    """Refuse a zip whose directory declares too many members or too much data, before expanding anything."""
    limits = limits or ZipLimits.default()
    infos = zf.infolist()
    hint = "正常的 Word/Excel 文件不会这样；请用 Word、WPS 或 Excel 打开后重新另存，再提交"
    if len(infos) > limits.max_members:
        raise UnsafeFileError(f"压缩包内文件过多（{len(infos)} 个，上限 {limits.max_members} 个），疑似恶意文件，已拒绝读取",
                              file=path, hint=hint)
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.max_part:
            raise UnsafeFileError(f"压缩包中的“{info.filename}”解压后过大（{mb(info.file_size)}，上限 {mb(limits.max_part)}），"
                                  "疑似“压缩炸弹”，已拒绝读取", file=path, hint=hint)
        if info.file_size > MB and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise UnsafeFileError(f"压缩包中的“{info.filename}”压缩比异常（{info.file_size // max(info.compress_size, 1)} 倍），"
                                  "疑似“压缩炸弹”，已拒绝读取", file=path, hint=hint)
    if total > limits.max_total:
        raise UnsafeFileError(f"压缩包解压后过大（声明 {mb(total)}，上限 {mb(limits.max_total)}），疑似“压缩炸弹”，已拒绝读取",
                              file=path, hint=hint)


def read_member(zf: zipfile.ZipFile, name: str, path: Path, limits: ZipLimits | None = None) -> bytes:
    """One member's bytes, refusing one that expands past what it declared or past the part limit."""
    limits = limits or ZipLimits.default()
    info = zf.getinfo(name)
    top = min(info.file_size, limits.max_part)
    try:
        with zf.open(info) as fh:
            data = fh.read(top + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise InputError(f"文件已损坏：压缩包中的“{name}”无法解压（{type(exc).__name__}）", file=path,
                         hint="请重新下载或重新保存原文件") from None
    if len(data) > top:
        raise UnsafeFileError(f"压缩包中的“{name}”实际大小超过其声明的大小，已拒绝读取", file=path)
    return data
