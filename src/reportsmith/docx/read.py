"""Open a submitted .docx safely and read its text in reading order.

A submitted file is never trusted. :func:`open_docx` refuses, with a Chinese message and
before anything is expanded: a file that is not a zip, a truncated zip, a zip whose
central directory declares more than the configured size or member count (a zip bomb),
an old binary .doc/.wps, a password-protected (encrypted OLE) .docx and a zip without a
Word document inside. :meth:`SafeDocx.xml` refuses XML with a DOCTYPE or entity
declarations and never resolves entities or loads anything from the network.

:func:`read_docx` returns the main story (paragraphs and table cells, accepted view of
tracked changes), text boxes and footnotes apart; headers, footers and comments are
not read at all.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from reportsmith.docx._body import Paragraph, read_body, read_notes
from reportsmith.docx._styles import child, parse_numbering, parse_styles, tag
from reportsmith.core.errors import InputError, UnsafeFileError, os_error_reason
from reportsmith.core.limits import MB, limit, open_regular, regular_size

__all__ = ["Limits", "SafeDocx", "DocxContent", "Paragraph", "open_docx", "read_docx", "main_story_text"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_REL_OFFICE_DOC = "/officeDocument"
_SAVE_AS = "请用 Word 或 WPS 打开后“另存为”Word 文档（*.docx）再提交"


@dataclass(frozen=True)
class Limits:
    """Limits for untrusted files; defaults from ``data/submitted.yaml``."""

    max_uncompressed_bytes: int
    max_members: int
    # One XML part (word/document.xml …) expanded: a 0.6 MB file can hold 190 MB of paragraphs.
    max_part_bytes: int = field(default_factory=lambda: limit("zip", "max_part_mb") * MB)

    @classmethod
    def default(cls) -> "Limits":
        return cls(limit("zip", "max_total_mb") * MB, limit("zip", "max_members"))


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def _refuse_non_zip(path: Path, head: bytes, raw: bytes) -> None:
    """Raise the right message for a file that is not a readable zip."""
    if not raw:
        raise InputError("文件是空的（0 字节）", file=path, hint="请重新导出或重新提交该报告")
    if head.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in raw or "EncryptionInfo".encode("utf-16-le") in raw:
            raise InputError(
                "文件设置了打开密码（加密的 Word 文档），无法读取",
                file=path,
                hint="请在 Word 中“文件 → 信息 → 保护文档 → 用密码进行加密”清空密码，或在 WPS 中取消文档加密，保存后再提交",
            )
        raise InputError(
            "这是旧版二进制格式（.doc 或 WPS 的 .wps），不是 .docx",
            file=path,
            hint=_SAVE_AS,
        )
    if head.startswith(b"PK"):
        raise InputError(
            "文件已损坏或不完整（压缩包结构无法读取，可能是下载或复制没有完成）",
            file=path,
            hint="请重新下载或让报送单位重新发送原文件",
        )
    sniff = raw[:512].lstrip().lower()
    if sniff.startswith(b"{\\rtf"):
        kind = "RTF 格式"
    elif sniff.startswith((b"<", b"\xef\xbb\xbf<", b"mime-version")):
        kind = "网页/XML 格式（可能是“另存为网页”或 Word 2003 XML）"
    elif sniff.startswith(b"%pdf"):
        kind = "PDF 文件"
    else:
        kind = "不是 zip 压缩格式"
    raise InputError(f"不是 .docx 文件：{kind}", file=path, hint=_SAVE_AS)


@dataclass
class SafeDocx:
    """A zip that passed the checks of :func:`open_docx`; members are read on demand."""

    path: Path
    limits: Limits
    _zip: zipfile.ZipFile
    names: frozenset[str]
    main_part: str

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeDocx:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, name: str) -> bytes | None:
        """The bytes of member ``name`` (None when absent), never more than it declared."""
        if name not in self.names:
            return None
        info = self._zip.getinfo(name)
        try:
            with self._zip.open(info) as fh:
                top = self.limits.max_part_bytes if name.endswith((".xml", ".rels")) else self.limits.max_uncompressed_bytes
                data = fh.read(min(info.file_size, top) + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
            raise InputError(
                f"文件已损坏：压缩包中的“{name}”无法解压（{type(exc).__name__}）",
                file=self.path,
                hint="请重新下载或让报送单位重新发送原文件",
            ) from None
        if len(data) > info.file_size:
            raise UnsafeFileError(f"压缩包中的“{name}”实际大小超过其声明的大小，已拒绝读取", file=self.path)
        return data

    def xml(self, name: str):
        """Parse member ``name`` as XML with DTDs refused and entities never resolved."""
        data = self.read(name)
        if data is None:
            return None
        for marker in ("<!DOCTYPE", "<!ENTITY"):
            if any(marker.encode(enc) in data for enc in ("utf-8", "utf-16-le", "utf-16-be")):
                raise UnsafeFileError(
                    f"“{name}”含有 DOCTYPE 或实体声明（正常的 Word、Excel 文件不会有），可能是恶意构造的文件，已拒绝读取",
                    file=self.path,
                    hint="请用 Word 或 WPS 打开后重新另存为 .docx 再提交",
                )
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False, remove_pis=True
        )
        try:
            root = etree.fromstring(data, parser)
        except (etree.XMLSyntaxError, ValueError) as exc:
            raise InputError(
                f"文件已损坏：“{name}”不是有效的 XML（{str(exc)[:80]}）",
                file=self.path,
                hint="请用 Word 打开该文件（Word 会提示修复），另存后再提交",
            ) from None
        if root.getroottree().docinfo.doctype:
            raise UnsafeFileError(f"“{name}”含有 DOCTYPE 声明，已拒绝读取", file=self.path)
        return root

    def related(self, rel_type_suffix: str, default: str | None = None) -> str | None:
        """The part the main document refers to by a relationship type (footnotes, numbering…)."""
        folder, base = posixpath.split(self.main_part)
        rels = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        for rel in rels if rels is not None else ():
            if (rel.get("Type") or "").endswith(rel_type_suffix) and rel.get("TargetMode") != "External":
                return _resolve(folder, rel.get("Target") or "")
        return default if default in self.names else None


def parse_part(data: bytes) -> None:
    """Parse one XML part of an untrusted package strictly (no DTD, no entities, no network);
    ValueError when it is not well-formed. Used to tell a real .docx from a renamed zip."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError("DOCTYPE")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(str(exc)) from None


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(folder, target))


def open_docx(path: str | Path, *, limits: Limits | None = None) -> SafeDocx:
    """Check an untrusted .docx and return a :class:`SafeDocx`; refuse hostile or broken files.

    >>> open_docx("报告.doc")  # doctest: +SKIP
    InputError: 报告.doc：这是旧版二进制格式（.doc 或 WPS 的 .wps），不是 .docx（请用 Word 或 WPS 打开后…）
    """
    doc = open_package(path, limits=limits)
    try:
        doc.main_part = _main_part(doc)
    except BaseException:
        doc.close()
        raise
    return doc


def open_package(path: str | Path, *, limits: Limits | None = None) -> SafeDocx:
    """The container checks of :func:`open_docx` for any Office package (.docx, .xlsx): size,
    member count, declared and per-part sizes, encryption and not-a-zip formats; whether it is
    a Word document is not asked (``main_part`` stays "word/document.xml")."""
    path = Path(path)
    limits = limits or Limits.default()
    try:
        if path.is_dir():
            raise InputError("这是文件夹，不是 .docx 文件", file=path)
        size = regular_size(path)  # a named pipe or a device is refused before it is opened
        if size > limits.max_uncompressed_bytes:
            raise UnsafeFileError(
                f"文件过大（{_mb(size)}，上限 {_mb(limits.max_uncompressed_bytes)}），已拒绝读取",
                file=path,
                hint="总结报告通常不足 10 MB；如确有大量图片，请压缩图片后再提交",
            )
        with open_regular(path) as fh:
            raw = fh.read(limits.max_uncompressed_bytes + 1)
    except FileNotFoundError:
        raise InputError("文件不存在", file=path, hint="请检查路径和文件名") from None
    except OSError as exc:
        raise InputError(f"无法读取文件：{os_error_reason(exc)}", file=path) from None
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        _refuse_non_zip(path, raw[:8], raw)
        raise  # pragma: no cover - _refuse_non_zip always raises
    infos = zf.infolist()
    # Decide from the central directory alone, before a single member is expanded.
    if len(infos) > limits.max_members:
        raise UnsafeFileError(
            f"压缩包内文件过多（{len(infos)} 个，上限 {limits.max_members} 个），疑似恶意文件，已拒绝读取",
            file=path,
            hint="请用 Word 或 WPS 打开后重新另存为 .docx 再提交",
        )
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_uncompressed_bytes:
        raise UnsafeFileError(
            f"压缩包解压后过大（声明 {_mb(declared)}，上限 {_mb(limits.max_uncompressed_bytes)}），疑似“压缩炸弹”，已拒绝读取",
            file=path,
            hint="请用 Word 或 WPS 打开后重新另存为 .docx 再提交；如图片过多请先压缩图片",
        )
    for info in infos:
        if info.filename.endswith((".xml", ".rels")) and info.file_size > limits.max_part_bytes:
            raise UnsafeFileError(
                f"压缩包中的“{info.filename}”解压后过大（{_mb(info.file_size)}，上限 {_mb(limits.max_part_bytes)}），已拒绝读取",
                file=path,
                hint="总结报告的正文解压后通常只有几 MB；请检查是否粘贴了大量重复内容，或用 Word 重新另存为 .docx",
            )
    if any(i.flag_bits & 0x1 for i in infos):
        raise InputError("压缩包内容被加密，无法读取", file=path, hint="请取消加密后另存为 .docx 再提交")
    names = frozenset(i.filename for i in infos)
    return SafeDocx(path, limits, zf, names, "word/document.xml")


def _main_part(doc: SafeDocx) -> str:
    names = doc.names
    if not any(n.startswith(("xl/", "ppt/")) for n in names):
        rels = doc.xml("_rels/.rels") if "_rels/.rels" in names else None
        for rel in rels if rels is not None else ():
            if (rel.get("Type") or "").endswith(_REL_OFFICE_DOC):
                part = _resolve("", rel.get("Target") or "")
                if part in names and part.endswith(".xml"):
                    return part
    if "word/document.xml" in names:
        return "word/document.xml"
    if "xl/workbook.xml" in names:
        what = "这是 Excel 表格（.xlsx），不是 Word 文档"
    elif "ppt/presentation.xml" in names:
        what = "这是 PowerPoint 演示文稿（.pptx），不是 Word 文档"
    elif "content.xml" in names and "mimetype" in names:
        what = "这是 OpenDocument 文档（.odt 等），不是 .docx"
    else:
        what = "压缩包中没有 word/document.xml，不是 Word 文档"
    raise InputError(what, file=doc.path, hint=_SAVE_AS)


@dataclass
class DocxContent:
    """What a .docx says: the main story and, apart, text boxes and notes."""

    path: Path
    paragraphs: list[Paragraph]
    text_boxes: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    endnotes: list[str] = field(default_factory=list)
    has_tracked_changes: bool = False
    has_fields: bool = False
    has_embedded_content: bool = False  # w:altChunk (an embedded HTML/RTF document), not read

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


def read_docx(path: str | Path, *, limits: Limits | None = None) -> DocxContent:
    """Open safely and extract; raise :class:`InputError` for a document without any text."""
    doc = open_docx(path, limits=limits)
    try:
        root = doc.xml(doc.main_part)
        if root is None or tag(root) != "w:document" or child(root, "w:body") is None:
            raise InputError(
                f"“{doc.main_part}”不是 Word 正文（缺少 w:document/w:body）", file=doc.path, hint=_SAVE_AS
            )
        styles = parse_styles(doc.xml(doc.related("/styles", "word/styles.xml") or ""))
        numbering = parse_numbering(doc.xml(doc.related("/numbering", "word/numbering.xml") or ""), styles)
        paragraphs, boxes, notes = read_body(root, styles, numbering)
        foot = read_notes(doc.xml(doc.related("/footnotes", "word/footnotes.xml") or ""), "w:footnote", styles, numbering)
        end = read_notes(doc.xml(doc.related("/endnotes", "word/endnotes.xml") or ""), "w:endnote", styles, numbering)
    except RecursionError:
        raise UnsafeFileError("文档结构嵌套过深，疑似恶意构造的文件，已拒绝读取", file=doc.path) from None
    finally:
        doc.close()
    content = DocxContent(
        doc.path, paragraphs, boxes, foot, end, "tracked" in notes, "fields" in notes, "altChunk" in notes
    )
    if not any(p.text.strip() for p in paragraphs):
        raise InputError(
            "文档没有正文文字（空白文档" + ("，文字只在文本框中" if boxes else "") + "）",
            file=doc.path,
            hint="请确认提交的是写好的总结报告；正文请直接写在页面中，不要放在文本框里",
        )
    return content


def main_story_text(path: str | Path) -> str:
    """Body paragraphs and table cells in order, ``"\\n"``-joined (what Word's 字数 counts).

    Insertions are in, deletions out; headers, footers, text boxes, footnotes and
    comments are not included.
    """
    return read_docx(path).text
