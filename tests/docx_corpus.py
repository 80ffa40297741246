"""Build submitted-report .docx files in code: every heading variant, and hostile files.

Reports are written with python-docx, then edited at the XML level where python-docx
has no API (automatic numbering, tracked changes, fields, text boxes, footnotes,
comments). Each builder returns what a reader must find, so tests compare against
known text instead of hard-coded numbers.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

from reportsmith.outline import headings as outline  # Known body text under every heading: the cue words of some topics, and characters a
# YAML round trip must keep (quotes, colons, '#', '{{', leading spaces, '&', '<').
TEXT: dict[str, list[str]] = {
    "集群总体情况": [
        "集群总体发展情况良好，2024年实现营业收入128.6亿元，同比增长12.3%。",
        "各项主要指标完成情况：企业总数达到326家，净利润9.8亿元。",
    ],
    "集群发展情况": [],
    "集群产业结构发展情况": ["产业链建设持续推进，龙头企业引领带动上下游配套企业协同发展。"],
    "集群创新能力建设情况": [
        "研发投入强度达到4.5%，R&D 人员 1,234 人；新增省级重点实验室2家。",
        "产学研合作深入开展，授权发明专利 86 件。",
    ],
    "集群创新服务建设体系": ["成立集群促进机构，完善运行机制；建成检验检测公共服务平台，设立 5 亿元产业基金。"],
    "集群发展环境": ["集群纳入“十四五”发展规划，出台专项支持政策和人才引进政策。"],
    "集群发展成效": [
        "优势产业突破性发展，新增高新技术企业 25 家、上市企业 1 家。",
        "关键核心技术取得突破 # 非注释，数字化转型加快，出口增长。",
    ],
    "存在问题与下一步工作考虑": [
        "存在问题：产业链条仍有短板。",
        "下一步工作思路：力争营收突破 {{ 150 }} 亿元，重点任务包括“强链”工程。",
    ],
    "集群企业典型发展案例": ["典型案例：链主企业 A&B 公司 <示范> 带动中小企业融通发展。"],
}

TITLE = "武汉东湖高新区地球空间信息及应用服务创新型产业集群2024年度总结报告"
SIGNATURE = ["武汉东湖高新区管委会", "2025年1月20日"]
APPENDIX = ["附件：主要指标表", "营业收入 128.6 亿元"]


def heading_line(h: outline.Heading, l1: str = "一、", l2: str = "（一）", title: str | None = None) -> str:
    """The heading as a writer typed it, in the style of the ``l1``/``l2`` examples."""
    title = title or h.title
    pattern = l1 if h.level == 1 else l2
    number = h.number.strip("（）")
    return pattern.replace("一", number, 1) + title


@dataclass
class Spec:
    """One variant of a submitted report."""

    l1: str = "一、"
    l2: str = "（一）"
    mode: str = "style"  # style (Heading 1/2), bold (bold body text), autonum (Word numbering), plain
    rename: dict[str, str] = field(default_factory=dict)  # title → title as written
    omit: frozenset[str] = frozenset()
    order: list[str] | None = None  # titles in the order written
    title_line: bool = True
    signature: bool = True
    appendix: bool = False
    table_in: str | None = None  # a table under this heading
    extras: bool = False  # tracked changes, field, text box, footnote, comment, header


@dataclass
class Expected:
    heading_lines: dict[str, str]  # title → the heading line as it is in the text
    paragraphs: dict[str, list[str]]  # title → body paragraphs (table cells included)
    text_box: str | None = None
    footnote: str | None = None


_ABSTRACT = f"""<w:abstractNum {nsdecls('w')} w:abstractNumId="90"><w:multiLevelType w:val="multilevel"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
</w:abstractNum>"""
_NUM = f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'


def _add_numbering(document) -> None:
    numbering = document.part.numbering_part.element
    first_num = numbering.find(qn("w:num"))
    abstract = parse_xml(_ABSTRACT)
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(_NUM))


def _set_num(paragraph, ilvl: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="90"/></w:numPr>'))


def _add_heading(document, h: outline.Heading, spec: Spec) -> str:
    title = spec.rename.get(h.title, h.title)
    if spec.mode == "autonum":
        p = document.add_paragraph(title, style=f"Heading {h.level}")
        _set_num(p, h.level - 1)
        return title
    line = heading_line(h, spec.l1, spec.l2, title)
    if spec.mode == "style":
        document.add_heading(line, h.level)
    elif spec.mode == "bold":
        document.add_paragraph().add_run(line).bold = True
    else:
        document.add_paragraph(line)
    return line


def _extras(document, body_para) -> str:
    """Tracked change, field, text box and comment inside ``body_para``; return its accepted text."""
    p = body_para._p
    ins = f'<w:ins {nsdecls("w")} w:id="501" w:author="审核人" w:date="2025-01-01T00:00:00Z"><w:r><w:t>新增文字</w:t></w:r></w:ins>'
    dele = f'<w:del {nsdecls("w")} w:id="502" w:author="审核人" w:date="2025-01-01T00:00:00Z"><w:r><w:delText>删去文字</w:delText></w:r></w:del>'
    field_ = (
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> DOCPROPERTY 代码不计 </w:instrText></w:r>'
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r {nsdecls("w")}><w:t>域结果</w:t></w:r>'
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>'
    )
    box = (
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent>'
        '<mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>文本框里的字</w:t></w:r></w:p>'
        "</w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
        '<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>文本框里的字</w:t></w:r></w:p>'
        "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )
    comment = (
        f'<w:commentRangeStart {nsdecls("w")} w:id="7"/>'
        f'<w:r {nsdecls("w")}><w:t>有批注</w:t></w:r><w:commentRangeEnd {nsdecls("w")} w:id="7"/>'
        f'<w:r {nsdecls("w")}><w:commentReference w:id="7"/></w:r>'
        f'<w:r {nsdecls("w")}><w:footnoteReference w:id="1"/></w:r>'
    )
    for xml in (ins, dele, field_, box, comment):
        wrapper = parse_xml(f'<w:x {nsdecls("w")}>{xml}</w:x>')
        for el in list(wrapper):
            p.append(el)
    return "新增文字域结果有批注"


_FOOTNOTES = f"""<w:footnotes {nsdecls('w')}>
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
<w:footnote w:id="1"><w:p><w:r><w:t>脚注：数据来源于统计部门。</w:t></w:r></w:p></w:footnote></w:footnotes>"""
_COMMENTS = f'<w:comments {nsdecls("w")}><w:comment w:id="7" w:author="审核人"><w:p><w:r><w:t>批注里的字</w:t></w:r></w:p></w:comment></w:comments>'


def build_report(path: Path, spec: Spec | None = None) -> Expected:
    """Write a report .docx to ``path`` following ``spec``; return what a reader must find."""
    spec = spec or Spec()
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(12)
    if spec.mode == "autonum":
        _add_numbering(document)
    if spec.title_line:
        document.add_paragraph(TITLE)
        document.add_paragraph("（2024年度）")
    heads = {h.title: h for h in outline.headings()}
    order = spec.order or list(heads)
    expected = Expected({}, {})
    extras_done = False
    for title in order:
        if title in spec.omit:
            continue
        h = heads[title]
        expected.heading_lines[title] = _add_heading(document, h, spec)
        paras: list[str] = []
        for text in TEXT[title]:
            para = document.add_paragraph(text)
            if spec.extras and not extras_done:
                text += _extras(document, para)
                extras_done = True
            paras.append(text)
        if spec.table_in == title:
            table = document.add_table(rows=2, cols=2)
            cells = [["指标", "数值"], ["营业收入", "128.6亿元"]]
            for r in range(2):
                for c in range(2):
                    table.cell(r, c).text = cells[r][c]
            paras += [x for row in cells for x in row]
        expected.paragraphs[title] = paras
    if spec.signature:
        for line in SIGNATURE:
            document.add_paragraph(line)
    if spec.appendix:
        for line in APPENDIX:
            document.add_paragraph(line)
    if spec.extras:
        document.sections[0].header.paragraphs[0].text = "页眉文字"
        document.sections[0].footer.paragraphs[0].text = "页脚文字"
        expected.text_box = "文本框里的字"
        expected.footnote = "脚注：数据来源于统计部门。"
    buf = io.BytesIO()
    document.save(buf)
    data = buf.getvalue()
    if spec.extras:
        data = add_parts(data, {"word/footnotes.xml": _FOOTNOTES, "word/comments.xml": _COMMENTS})
    path.write_bytes(data)
    return expected


_PART_TYPES = {
    "word/footnotes.xml": ("footnotes", "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"),
    "word/comments.xml": ("comments", "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"),
    "word/endnotes.xml": ("endnotes", "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml"),
}


def add_parts(data: bytes, parts: dict[str, str]) -> bytes:
    """Add parts (with their relationship and content type) to a .docx given as bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "word/_rels/document.xml.rels":
                rels = "".join(
                    f'<Relationship Id="rIdX{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                    f'{_PART_TYPES[name][0]}" Target="{name.split("/", 1)[1]}"/>'
                    for i, name in enumerate(parts)
                )
                body = body.replace(b"</Relationships>", rels.encode() + b"</Relationships>")
            elif info.filename == "[Content_Types].xml":
                types = "".join(f'<Override PartName="/{n}" ContentType="{_PART_TYPES[n][1]}"/>' for n in parts)
                body = body.replace(b"</Types>", types.encode() + b"</Types>")
            dst.writestr(info.filename, body)
        for name, xml in parts.items():
            dst.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml)
    return out.getvalue()


def replace_part(data: bytes, name: str, body: bytes) -> bytes:
    """A copy of the zip ``data`` with member ``name`` replaced by ``body``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, body if info.filename == name else src.read(info.filename))
    return out.getvalue()


# ---- hostile files -------------------------------------------------------------------

def zip_bomb_declared(size: int = 300 * 1024 * 1024) -> bytes:
    """A tiny zip whose central directory declares a member of ``size`` bytes (nothing that big is written)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"0" * 1000)
    data = bytearray(buf.getvalue())
    cd = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, size)  # uncompressed size in the central directory
    return bytes(data)


def many_members(n: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in range(n):
            z.writestr(f"word/media/x{i}.txt", b"")
        z.writestr("word/document.xml", b"<x/>")
    return buf.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"""


def odt_file() -> bytes:
    """The skeleton of an OpenDocument text (.odt): a zip with mimetype and content.xml."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


def ole_file(*streams: str) -> bytes:
    """An OLE compound-file header followed by directory names (enough for the signature checks)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    names = b"".join(s.encode("utf-16-le").ljust(64, b"\x00") for s in streams)
    return header + names + b"\x00" * 512


def numbered_lines(text: str) -> list[str]:
    """Non-empty lines of ``text`` (helper for comparing extracted text)."""
    return [line for line in re.split(r"\n", text) if line.strip()]
