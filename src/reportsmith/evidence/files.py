"""Checks of single evidence files (佐证材料): where they are, what they are, how big.

A file named in ``evidence.yaml`` is only ever opened after its real location (symbolic
links followed) is known to lie inside the cluster's folder; anything else is refused
without reading a byte. Types are recognised by content signature, and the extension
must agree with the content. :func:`write_bundle` copies the attached files, renamed by
their checklist number, into a folder that replaces the previous bundle as a whole.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO, Mapping, Sequence

import regex

from reportsmith.records.assembled import Checklist, ChecklistItem
from reportsmith.core.atomic import atomic_path
from reportsmith.core.errors import InputError, UnsafeFileError, os_error_reason
from reportsmith.docx.read import parse_part
from reportsmith.core.limits import check_zip, open_regular, read_member, special_kind

ATTACHED, MISSING, INVALID = "已附", "缺失", "无效"
_CHUNK = 1 << 20
# Members that identify the zip-based formats; only the central directory is read.
_ZIP_MARKERS = (("OFD", "OFD.xml"), ("DOCX", "word/document.xml"), ("XLSX", "xl/workbook.xml"))


@dataclass(frozen=True)
class FileCheck:
    """The outcome for one file as written in evidence.yaml.

    ``path`` is the path as used (backslashes read as separators) and shown in the
    checklist; ``reason`` is short enough for the 状态 column, ``hint`` says how to fix it.
    """

    path: str
    status: str  # 已附 / 缺失 / 无效
    reason: str = ""
    hint: str = ""
    size: int = 0
    sha256: str = ""
    kind: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == ATTACHED


_RELATIVE = "请把文件放进填报文件夹，写相对路径，如 evidence/文件名.pdf"
_CONTROL = regex.compile(r"[\x00-\x1f\x7f]")


def normalize(written: str) -> str:
    """The path as the user meant it: backslashes as separators, surrounding blanks removed.

    Windows users write ``evidence\\孵化器.pdf``; a backslash inside a file name is so rare on
    the other systems that reading it as a separator is the better guess.
    """
    return str(written).strip().replace("\\", "/")


def shown(path: str) -> str:
    """``path`` fit for a message or a table cell: a control character as its escape (``\\n``)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], path)


def locate(folder: Path, written: str) -> tuple[Path | None, tuple[str, str] | None]:
    """The real path of ``written`` inside ``folder``, or ``(None, (reason, hint))`` when it must be refused.

    Nothing is opened here: only path arithmetic and ``os.path.realpath``.
    """
    text = normalize(written)
    if not text:
        return None, ("路径为空", _RELATIVE)
    if _CONTROL.search(text):
        # "evidence\new.pdf" in double quotes: YAML turns "\n" into a line break.
        return None, ("路径中含换行、制表符等控制字符", "在双引号中写反斜杠会被当作转义，如 \\n 会变成换行；请去掉引号，或改用 / 分隔")
    if PurePosixPath(text).is_absolute() or PureWindowsPath(text).drive or PureWindowsPath(text).is_absolute():
        return None, ("使用了绝对路径，已拒绝读取", _RELATIVE)
    if ".." in PurePosixPath(text).parts:
        return None, ("路径含“..”，指向填报文件夹之外，已拒绝读取", _RELATIVE)
    root = Path(os.path.realpath(folder))
    real = Path(os.path.realpath(root / text))
    if real != root and root not in real.parents:
        return None, ("经符号链接指向填报文件夹之外，已拒绝读取", "请把文件本身复制到填报文件夹内，不要用快捷方式或符号链接")
    return real, None


def _zip_kind(fh: BinaryIO) -> tuple[str | None, str | None]:
    """(kind, problem) of a zip: a package within the zip limits, with the members of its format.

    Only the central directory is read, except for a DOCX, whose main part must parse."""
    try:
        with zipfile.ZipFile(fh) as zf:
            check_zip(zf, Path("zip"))
            names = set(zf.namelist())
            if any(i.flag_bits & 0x1 for i in zf.infolist()):
                return None, "是加密的压缩包，无法检查其内容"
            for kind, member in _ZIP_MARKERS:
                if member in names:
                    if kind == "DOCX":
                        if "[Content_Types].xml" not in names:
                            return None, "像 DOCX 文件，但缺少 [Content_Types].xml，不是有效的 Word 文档"
                        parse_part(read_member(zf, member, Path("zip")))
                    return kind, None
    except UnsafeFileError as exc:
        return None, exc.message.replace("，已拒绝读取", "")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, InputError):
        return None, "是损坏的 zip 压缩包"
    return None, None


def _pdf_problem(fh: BinaryIO) -> str | None:
    """None when the file parses as a PDF with at least one page, else what is wrong."""
    import logging
    import warnings

    from pypdf import PdfReader

    fh.seek(0)
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(fh, strict=False)
            if reader.is_encrypted:
                return "PDF 设置了打开密码，无法检查其内容"
            if len(reader.pages) < 1:
                return "PDF 中没有任何页面"
    except RecursionError:
        return "PDF 结构嵌套过深，无法读取"
    except Exception:  # pypdf raises many kinds for a file that is not a PDF
        return "内容不是有效的 PDF（文件结构无法解析），可能是改了扩展名的其他文件或已损坏"
    return None


def _sniff(fh: BinaryIO, size: int) -> tuple[str | None, str | None]:
    """(detected type, detail) from the file's content."""
    head = fh.read(1024)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG", None
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG", None
    if b"%PDF-" in head:
        fh.seek(max(0, size - 1024))
        if b"%%EOF" not in fh.read():
            return None, "PDF 文件不完整（缺少文件结尾标记 %%EOF），可能下载或复制时被截断"
        problem = _pdf_problem(fh)  # decided by structure, not by the signature strings
        return (None, problem) if problem else ("PDF", None)
    if head.startswith(b"PK\x03\x04"):
        fh.seek(0)
        kind, problem = _zip_kind(fh)
        return (kind, None) if kind else (None, problem or "是 zip 压缩包，但不是 OFD、DOCX 或 XLSX 文件")
    return None, None


def _type_problem(kind: str | None, detail: str | None, suffix: str, allowed: Mapping[str, Sequence[str]]) -> tuple[str, str] | None:
    """(reason, hint) when the content is not an allowed type or does not match the extension."""
    names = "、".join(allowed)
    original = "请提供原件，或重新导出为 " + names + " 之一"
    if kind is None:
        if detail:
            return detail, original
        ext_kind = next((k for k, exts in allowed.items() if suffix in exts), None)
        if ext_kind:
            return f"扩展名为 {suffix}，但内容不是 {ext_kind}", "可能是改了扩展名的其他文件；" + original
        return f"内容不是允许的类型（{names}）", original
    if kind not in allowed:
        return f"文件类型 {kind} 不在允许的类型（{names}）之内", original
    if suffix not in allowed[kind]:
        return f"内容是 {kind}，但扩展名为 {suffix or '（无）'}", f"请把扩展名改为 {allowed[kind][0]}"
    return None


def check_file(folder: Path, written: str, *, max_bytes: int, allowed: Mapping[str, Sequence[str]]) -> FileCheck:
    """Locate, size, type-check and hash one file; a refused, empty or oversize file is never opened."""
    text = normalize(written)
    real, refused = locate(folder, text)
    if real is None:
        reason, hint = refused or ("路径被拒绝", _RELATIVE)
        return FileCheck(shown(text), INVALID, reason, hint)
    too_long = next((p for p in PurePosixPath(text).parts if len(p.encode("utf-8")) > 255), None)
    if too_long:
        return FileCheck(shown(text), INVALID, f"文件名太长（{len(too_long.encode('utf-8'))} 字节，上限 255 字节）",
                         "请把文件改用较短的名称，并同时修改 evidence.yaml")
    try:
        st = os.stat(real)
    except FileNotFoundError:
        real = _normalized_match(Path(os.path.realpath(folder)), text)
        if real is None:
            return FileCheck(text, MISSING, "文件不存在", "请把文件放到所写的位置，或更正路径，注意文件名和扩展名")
        st = os.stat(real)
    except OSError as exc:
        return FileCheck(shown(text), INVALID, f"无法读取（{os_error_reason(exc)}）", "请检查路径和文件名")
    what = special_kind(st.st_mode)
    if what == "文件夹":
        return FileCheck(text, INVALID, "不是文件（可能是文件夹）", "请写出文件夹中具体文件的路径")
    if what:
        return FileCheck(text, INVALID, f"不是普通文件（是{what}），已拒绝读取", "请放入真正的文件")
    size = st.st_size
    if size == 0:
        return FileCheck(text, INVALID, "是空文件（0 字节）", "请重新导出或复制该文件")
    if size > max_bytes:
        return FileCheck(text, INVALID, f"文件大小 {_mb(size)}，超过上限 {_mb(max_bytes)}", "请压缩或拆分后再附", size=size)
    try:
        with open_regular(real, limit_bytes=max_bytes) as fh:
            kind, detail = _sniff(fh, size)
            fh.seek(0)
            digest = _hash(fh)
    except InputError as exc:
        return FileCheck(text, INVALID, exc.message, exc.hint or "", size=size)
    except OSError as exc:
        return FileCheck(text, INVALID, f"无法读取（{os_error_reason(exc)}）", "请检查文件的读取权限，或是否被其他程序占用", size=size)
    problem = _type_problem(kind, detail, PurePosixPath(text).suffix.lower(), allowed)
    if problem:
        return FileCheck(text, INVALID, problem[0], problem[1], size=size, sha256=digest, kind=kind)
    return FileCheck(text, ATTACHED, size=size, sha256=digest, kind=kind)


def _normalized_match(root: Path, text: str) -> Path | None:
    """The file whose path equals ``text`` after Unicode normalisation (NFC), or None.

    The same Chinese or accented name can be stored composed (NFC, as typed on Windows)
    or decomposed (NFD, as some Mac tools save it); they look identical to a writer.
    """
    import unicodedata

    current = root
    for part in PurePosixPath(text).parts:
        candidate = current / part
        if not os.path.lexists(candidate):
            wanted = unicodedata.normalize("NFC", part)
            try:
                with os.scandir(current) as entries:
                    candidate = next((Path(e.path) for n, e in zip(range(10000), entries)
                                      if unicodedata.normalize("NFC", e.name) == wanted), None)
            except OSError:
                return None
            if candidate is None:
                return None
        current = candidate
    real = Path(os.path.realpath(current))
    return real if real == root or root in real.parents else None


def _hash(fh: BinaryIO) -> str:
    h = hashlib.sha256()
    for chunk in iter(lambda: fh.read(_CHUNK), b""):
        h.update(chunk)
    return h.hexdigest()


def _mb(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:.1f} MB" if mb >= 0.1 else f"{n} 字节"


_UNSAFE = regex.compile(r'[\x00-\x1f\x7f/\\:*?"<>|《》〈〉]')


def safe_name(name: str, *, limit: int = 60) -> str:
    """A file-system-safe form of an item name (no separators, reserved or control characters).

    >>> safe_name("《XX市“十四五”规划》: 节选/摘要")
    'XX市“十四五”规划_ 节选_摘要'
    """
    cleaned = _UNSAFE.sub(lambda m: "" if m.group() in "《》〈〉" else "_", name)
    cleaned = regex.sub(r"\s+", " ", cleaned).strip(" ._")
    return cleaned[:limit].rstrip(" .") or "材料"


def copy_verified(folder: Path, written: str, sha256: str, target: Path) -> None:
    """Copy one checked file to ``target`` atomically, refusing it if it moved out or changed."""
    real, refused = locate(folder, written)
    if real is None:
        reason, hint = refused or ("路径被拒绝", _RELATIVE)
        raise InputError(reason, file=written, hint=hint)
    if not os.path.lexists(real):
        real = _normalized_match(Path(os.path.realpath(folder)), normalize(written)) or real
    h = hashlib.sha256()
    try:
        src = open_regular(real)
    except InputError as exc:
        raise InputError(f"佐证材料在检查之后被替换：{exc.message}", file=written, hint="请确认文件仍在原处，再重新运行命令") from None
    except OSError as exc:
        what = "已不存在" if isinstance(exc, FileNotFoundError) else f"无法读取（{exc.strerror}）"
        raise InputError(f"佐证材料在检查之后{what}", file=written, hint="请确认文件仍在原处，再重新运行命令") from None
    with src, atomic_path(target) as tmp, open(tmp, "wb") as dst:
        for chunk in iter(lambda: src.read(_CHUNK), b""):
            h.update(chunk)
            dst.write(chunk)
        dst.flush()
        if h.hexdigest() != sha256:
            raise InputError(
                "文件在检查之后被修改过，内容与清单记录的 SHA-256 不符",
                file=written,
                hint="请重新运行命令，使清单与文件一致",
            )


def bundle_names(checklist: Checklist) -> list[tuple[ChecklistItem, str, str]]:
    """(item, written path, bundle file name) for every file of an attached item: ``03-光谷创业孵化器.pdf``."""
    out = []
    for item in checklist.items:
        if item.status != ATTACHED:
            continue
        for n, written in enumerate(item.files, 1):
            suffix = Path(written).suffix.lower()
            extra = f"-{n}" if len(item.files) > 1 else ""
            out.append((item, written, f"{item.seq:02d}-{safe_name(item.name)}{extra}{suffix}"))
    return out


def write_bundle(checklist: Checklist, folder: Path, dest: Path) -> list[Path]:
    """Copy the attached files to ``dest`` renamed by checklist number; the folder is replaced as a whole.

    The new bundle is staged beside ``dest`` and swapped in only when every file copied and
    matched its recorded SHA-256, so a failure leaves the previous bundle as it was.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent))
    try:
        names = []
        for item, written, name in bundle_names(checklist):
            copy_verified(Path(folder), written, item.sha256[item.files.index(written)], stage / name)
            names.append(name)
        os.chmod(stage, 0o777 & ~_umask())
        old = None
        if dest.exists():
            old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
            os.replace(dest, old)
        os.replace(stage, dest)
        if old is not None:
            _remove(old)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return [dest / n for n in names]


def _remove(path: Path) -> None:
    """Remove the previous bundle, whether a folder or (left by hand) a file of that name."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
