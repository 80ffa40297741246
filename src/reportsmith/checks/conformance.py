"""Layout conformance of a received .docx: paper, margins, fonts, sizes, line spacing, page numbers.

The required values are those of ``data/layout.yaml`` (the GB/T 9704 values the template is
built from); tolerances and other names of the same fonts are in ``data/conformance.yaml``.
Every finding is a warning that names what was found and what is expected; the length and
coverage checks do not depend on them.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from reportsmith.checks.headings import Layout
from reportsmith.core.errors import Finding, Severity
from reportsmith.core.resources import load_data
from reportsmith.docx.formatting import DocxFormatting, ParagraphLook

__all__ = ["layout_findings", "expected_looks"]

_SIZE_NAMES = {42: "初号", 36: "小初", 26: "一号", 24: "小一", 22: "二号", 18: "小二", 16: "三号", 15: "小三", 14: "四号",
               12: "小四", 10.5: "五号", 9: "小五"}  # fmt: skip


def _size_text(pt: float | None) -> str:
    if pt is None:
        return "未设置"
    name = _SIZE_NAMES.get(pt)
    num = f"{pt:g} 磅"
    return f"{name}（{num}）" if name else num


def _font_text(font: str | None) -> str:
    return f"“{font}”" if font else "未设置的字体"


def expected_looks() -> dict[str, tuple[str, float]]:
    """Element name (正文, 标题 …) → (East Asian font, size in pt), from ``layout.yaml``."""
    layout = load_data("layout.yaml")
    styles = {s["id"]: s for s in layout["styles"]}
    sizes = layout["sizes"]
    return {name: (styles[sid]["font"], float(sizes[styles[sid]["size"]])) for name, sid in load_data("conformance.yaml")["elements"].items()}


def _font_ok(found: str | None, wanted: str) -> bool:
    aliases = load_data("conformance.yaml")["font_aliases"].get(wanted, [wanted])
    return found is not None and found.replace(" ", "") in {a.replace(" ", "") for a in aliases}


def _dominant(looks: Iterable[tuple[ParagraphLook, int]], attr: str):
    """The value of ``attr`` over the most characters, and its share of them."""
    counts: Counter = Counter()
    for look, weight in looks:
        counts[getattr(look, attr)] += weight
    total = sum(counts.values())
    if not total:
        return None, 0.0
    value, n = counts.most_common(1)[0]
    return value, n / total


def _warn(rule: str, message: str, file: str, key: str, hint: str, measured=None, limit=None) -> Finding:
    return Finding(Severity.WARNING, rule, message, file=file, key=key, hint=hint, measured=measured, limit=limit)


def _page_findings(fmt: DocxFormatting, file: str) -> list[Finding]:
    conf, page = load_data("conformance.yaml"), load_data("layout.yaml")["page"]
    tol = conf["tolerance_mm"]
    out: list[Finding] = []
    if not fmt.pages:
        return out
    n = len(fmt.pages)
    bad_paper = [p for p in fmt.pages if abs(p.width_mm - page["width_mm"]) > tol or abs(p.height_mm - page["height_mm"]) > tol]
    if bad_paper:
        p = bad_paper[0]
        where = f"{len(bad_paper)}/{n} 节" if n > 1 else "文档"
        out.append(_warn(
            "layout.paper", f"{where}的纸张为 {p.width_mm:g} × {p.height_mm:g} mm，应为 A4 纵向 {page['width_mm']} × {page['height_mm']} mm",
            file, "纸张", "在 Word“布局→纸张大小”中选择 A4，纸张方向选“纵向”",
            measured=[p.width_mm, p.height_mm], limit=[page["width_mm"], page["height_mm"]],
        ))
    want = page["margin_mm"]
    names = {"top": "上", "bottom": "下", "left": "左", "right": "右"}
    for p in fmt.pages:
        found = {"top": p.top_mm, "bottom": p.bottom_mm, "left": p.left_mm, "right": p.right_mm}
        off = [k for k in names if abs(found[k] - want[k]) > tol]
        if off:
            text = "、".join(f"{names[k]} {found[k]:g} mm" for k in off)
            expect = "、".join(f"{names[k]} {want[k]} mm" for k in off)
            out.append(_warn(
                "layout.margins", f"页边距为{text}，应为{expect}（允许偏差 ±{tol} mm）", file, "页边距",
                f"在 Word“布局→页边距→自定义页边距”中设置：上 {want['top']} mm、下 {want['bottom']} mm、"
                f"左 {want['left']} mm、右 {want['right']} mm",
                measured={k: found[k] for k in off}, limit={k: want[k] for k in off},
            ))
            break
    return out


def _text_findings(element: str, looks: list[tuple[ParagraphLook, int]], file: str, key: str, rule: str) -> list[Finding]:
    font, size = expected_looks()[element]
    tol = load_data("conformance.yaml")["size_tolerance_pt"]
    out: list[Finding] = []
    found_font, share = _dominant(looks, "font")
    if looks and not _font_ok(found_font, font):
        out.append(_warn(
            rule, f"{element}字体为{_font_text(found_font)}（占{element}文字的 {share:.0%}），应为“{font}”", file, key,
            f"选中{element}文字，把中文字体设为“{font}”（或修改对应的 Word 样式）",
            measured=found_font, limit=font,
        ))
    found_size, share = _dominant(looks, "size_pt")
    if looks and (found_size is None or abs(found_size - size) > tol):
        out.append(_warn(
            rule.replace("font", "size"), f"{element}字号为{_size_text(found_size)}（占{element}文字的 {share:.0%}），应为{_size_text(size)}",
            file, key, f"选中{element}文字，把字号设为“{_SIZE_NAMES.get(size, size)}”", measured=found_size, limit=size,
        ))
    return out


def _line_findings(looks: list[tuple[ParagraphLook, int]], file: str) -> list[Finding]:
    rng = load_data("conformance.yaml")["line_pt"]
    counts: Counter = Counter()
    for look, weight in looks:
        counts[(look.line_rule, look.line_pt)] += weight
    if not counts:
        return []
    (rule, pt), n = counts.most_common(1)[0]
    share = n / sum(counts.values())
    if rule == "exact" and pt is not None and rng["min"] <= pt <= rng["max"]:
        return []
    if rule == "exact":
        found = f"固定值 {pt:g} 磅"
    elif rule == "atLeast":
        found = f"最小值 {pt:g} 磅"
    elif rule == "auto" and pt is not None:
        found = f"{pt / 12:g} 倍行距"
    else:
        found = "单倍行距（未设置）"
    return [_warn(
        "layout.line_spacing", f"正文行距为{found}（占正文的 {share:.0%}），应为固定值 {rng['min']:g}～{rng['max']:g} 磅",
        file, "行距", f"选中正文，在“段落→行距”中选“固定值”，设置值约 28.95 磅（每页 22 行）",
        measured=pt, limit=[rng["min"], rng["max"]],
    )]


def layout_findings(layout: Layout, fmt: DocxFormatting, file: str) -> list[Finding]:
    """Warnings for every way the file's layout differs from ``layout.yaml``."""
    paras = layout.content.paragraphs
    index = {id(p): i for i, p in enumerate(paras)}

    def looks(ps) -> list[tuple[ParagraphLook, int]]:
        out = []
        for p in ps:
            i = index.get(id(p))
            if i is not None and i < len(fmt.paragraphs) and p.text.strip() and not p.in_table:
                out.append((fmt.paragraphs[i], len(p.text.strip())))
        return out

    out = _page_findings(fmt, file)
    body = looks(p for ps in layout.body.values() for p in ps)
    out += _text_findings("正文", body, file, "正文", "layout.body_font")
    out += _line_findings(body, file)
    if layout.title:
        out += _text_findings("标题", looks(layout.title[:1]), file, "标题", "layout.title_font")
    for level, element in ((1, "一级标题"), (2, "二级标题")):
        found = [f for f in layout.found if f.heading.level == level]
        if not found:
            continue
        heads = looks(paras[f.index] for f in found)
        findings = _text_findings(element, heads, file, found[0].heading.numbered, "layout.heading_font")
        font, size = expected_looks()[element]
        for f in findings:  # anchor at the first heading that differs
            wrong = next(
                (h for h in found if h.index < len(fmt.paragraphs)
                 and not (_font_ok(fmt.paragraphs[h.index].font, font) if f.rule.endswith("font") else fmt.paragraphs[h.index].size_pt == size)),
                found[0],
            )
            out.append(Finding(f.severity, f.rule, f.message, file=f.file, key=wrong.heading.numbered,
                               hint=f.hint, measured=f.measured, limit=f.limit))
    if not fmt.footer_page_number:
        out.append(_warn(
            "layout.page_number", "页脚中没有页码" if fmt.has_footer else "文档没有页脚，没有页码",
            file, "页码", "在 Word“插入→页码→页面底端”插入页码，格式“— 1 —”（宋体四号）",
        ))
    return out
