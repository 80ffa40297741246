"""Render an :class:`~reportsmith.records.assembled.Assembled` report into a Word document.

The template (``templates/outline.docx`` or a user's own) is a docxtpl template. It is
parsed and compiled once per :class:`Renderer`; each render refills that one parsed
package (body, headers, footers, core properties) and writes the zip once.

Nothing typed by a writer may be lost or executed:

* autoescape is on, so ``A&B`` and ``<`` reach the document as text;
* every text goes through :func:`reportsmith.docx.out.xml_safe` first; characters XML
  cannot hold are removed with a warning naming the section (never a corrupt file);
* a writer's ``{{ }}`` / ``{% %}`` is data in the context and is never compiled;
* ``\\n`` becomes a line break (``w:br``) and ``\\t`` a tab (``w:tab``) inside the paragraph.

Template problems (syntax error, unknown variable) raise :class:`TemplateError` naming
the template part and the paragraph, never a traceback.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from reportsmith.records.assembled import Assembled
from reportsmith.docx.eastasian import StyleFonts, mark_punctuation
from reportsmith.docx.out import TemplatePackage, fill_part, fix_tables, save_deterministic
from reportsmith.core.errors import Finding, InputError, TemplateError, os_error_reason
from reportsmith.report._rendercontext import CONTEXT_VARIABLES, make_context, title_lines
from reportsmith.core.limits import limit, read_regular
from reportsmith.core.resources import default_template

__all__ = ["CONTEXT_VARIABLES", "Renderer", "document_date", "make_context", "render_docx", "render_findings", "title_lines"]

_DATE = re.compile(r"(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})")
_PARAGRAPH_START = re.compile(r"<w:p([ >])")
_TAGS = re.compile(r"<[^>]+>")
_JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
# docxtpl's paragraph/row/cell/run markers ({%p …%}, {{r …}}) are removed before jinja sees them.
_MARKER = re.compile(r"(\{[{%])-?\s*(?:p|tr|tc|r)\s+")
_TAG_HINT = "请在 Word 中改正该处的模板标记：每个 {{ }} 或 {% %} 须完整地写在同一段内"
_NAMES_HINT = "可用的变量：" + "、".join(sorted(CONTEXT_VARIABLES)) + "；请在 Word 中改正该处标记中的变量名"


def _normal_tag(text: str) -> str:
    return re.sub(r"\s+", " ", _MARKER.sub(r"\1 ", text)).strip()


def document_date(assembled: Assembled) -> datetime:
    """The date stamped into the file: the report's date, else 31 December of its year (never the clock)."""
    m = _DATE.search(assembled.date_text or "")
    if m:
        try:
            return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    return datetime(assembled.year, 12, 31)


def render_findings(assembled: Assembled) -> list[Finding]:
    """Warnings rendering would produce (characters removed), without rendering."""
    return list(make_context(assembled)[1])


def _bounded_range(*args: Any) -> range:
    """``range`` in a template, refused beyond ``template.max_range`` of data/limits.yaml."""
    from jinja2.exceptions import SecurityError

    r = range(*args)
    if len(r) > limit("template", "max_range"):
        raise SecurityError(f"range() 的长度 {len(r):,} 超过了上限 {limit('template', 'max_range'):,}")
    return r


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


def _environment() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    class _CompilingOnce(SandboxedEnvironment):
        """docxtpl calls ``from_string`` on every render; compile each source only once.

        A user's template runs bounded: string and list products and sums, powers and
        ``range`` beyond the limits of data/limits.yaml are refused before they are computed.
        """

        intercepted_binops = frozenset({"*", "**", "+"})

        def __init__(self) -> None:
            super().__init__(autoescape=True, undefined=StrictUndefined)
            self._compiled: dict[str, Any] = {}
            self.globals["range"] = _bounded_range

        def call_binop(self, context, operator, left, right):  # noqa: ANN001 - jinja's signature
            most = limit("template", "max_output_chars")
            if operator == "**":
                if isinstance(right, (int, float)) and not isinstance(right, bool):
                    if abs(right) > limit("template", "max_power"):
                        raise SecurityError(f"乘方的指数 {right} 超过了上限 {limit('template', 'max_power')}")
                    if isinstance(left, int) and left.bit_length() * abs(right) > 64 * limit("template", "max_power"):
                        raise SecurityError("乘方的结果位数过多")
            elif operator == "*":
                for seq, n in ((left, right), (right, left)):
                    if _size(seq) is not None and isinstance(n, int) and _size(seq) * n > most:
                        raise SecurityError(f"重复后的长度（{_size(seq):,} × {n:,}）超过了上限 {most:,}")
            elif operator == "+":
                a, b = _size(left), _size(right)
                if a is not None and b is not None and a + b > most:
                    raise SecurityError(f"拼接后的长度超过了上限 {most:,}")
            return super().call_binop(context, operator, left, right)

        def from_string(self, source, globals=None, template_class=None):  # noqa: A002 - jinja's signature
            if globals or template_class or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            if source not in self._compiled:
                self._compiled[source] = super().from_string(source)
            return self._compiled[source]

        def is_safe_attribute(self, obj, attr, value):  # noqa: ANN001 - jinja's signature
            # The context's records are SimpleNamespaces, for which jinja's answer is exactly
            # this (its internal-attribute list concerns functions, types, frames …); said
            # directly, it saves a chain of isinstance tests on every {{ x.y }}.
            if type(obj) is SimpleNamespace:
                return not attr.startswith("_")
            return super().is_safe_attribute(obj, attr, value)

    return _CompilingOnce()


class Renderer:
    """A parsed template: ``Renderer(path).render(assembled, out_path)``; reuse it for many reports.

    One instance renders one report at a time (it refills one parsed package); a batch
    keeps one per worker process.

    >>> Renderer().render(assembled, Path("out/x.docx"))  # doctest: +SKIP
    """

    def __init__(self, template: str | Path | None = None) -> None:
        self.template = Path(template) if template is not None else default_template()
        self.name = self.template.name
        try:
            self._data = read_regular(self.template, "docx")  # a regular file within the size limit
        except OSError as exc:
            raise InputError(
                f"无法读取 Word 模板：{os_error_reason(exc)}",
                file=self.template,
                hint="请检查 --template 指定的路径；不指定时使用内置模板 templates/outline.docx",
            ) from None
        self._env = _environment()
        # One parsed package, refilled by every render: re-opening the .docx per report
        # would parse styles, numbering, theme … again each time.
        self._tpl = self._docxtpl()
        self._sources = self._compile_all()
        self._check_variables()
        self._state = TemplatePackage(self._tpl, self._part_sources(self._tpl))
        self._style_fonts = StyleFonts(self._tpl.docx.styles.element)

    # -- parsing -------------------------------------------------------------------

    def _docxtpl(self) -> Any:
        from docxtpl import DocxTemplate

        tpl = DocxTemplate(io.BytesIO(self._data))
        try:
            tpl.init_docx()
        except Exception as exc:  # python-docx raises several types for a file that is not a .docx
            raise InputError(
                f"Word 模板无法打开（{type(exc).__name__}）", file=self.template, hint="模板必须是 Word 2007 及以后的 .docx 文件"
            ) from None
        return tpl

    def _part_sources(self, tpl: Any) -> list[tuple[str, str]]:
        """(part label, jinja source) exactly as docxtpl builds them at render time."""
        sources = [("正文（word/document.xml）", tpl.patch_xml(tpl.get_xml()))]
        for uri, label in ((tpl.HEADER_URI, "页眉"), (tpl.FOOTER_URI, "页脚")):
            for _key, part in tpl.get_headers_footers(uri):
                sources.append((f"{label}（{str(part.partname).lstrip('/')}）", tpl.patch_xml(tpl.get_part_xml(part))))
        return [(label, _PARAGRAPH_START.sub(r"\n<w:p\1", src)) for label, src in sources]

    def _compile_all(self) -> dict[str, str]:
        from jinja2 import TemplateSyntaxError

        labels: dict[str, str] = {}
        for label, source in self._part_sources(self._tpl):
            labels[source] = label
            try:
                self._env.from_string(source)
            except TemplateSyntaxError as exc:
                raise self._error(label, source, exc.lineno, f"模板语法错误：{exc.message}") from None
        return labels

    def variables(self) -> set[str]:
        """The top-level variables the template uses (docxtpl's view of it)."""
        from jinja2 import meta

        found: set[str] = set()
        for source in self._sources:
            found |= meta.find_undeclared_variables(self._env.parse(source))
        return found

    def _check_variables(self) -> None:
        """Refuse a template that uses a name the code does not provide, naming the part and paragraph."""
        from jinja2 import meta, nodes

        used: set[str] = set()
        for source, label in self._sources.items():
            tree = self._env.parse(source)
            names = meta.find_undeclared_variables(tree)
            used |= names
            unknown = sorted(names - CONTEXT_VARIABLES)
            if unknown:
                line = next((n.lineno for n in tree.find_all(nodes.Name) if n.name in unknown), None)
                raise self._error(
                    label,
                    source,
                    line,
                    f"模板使用了程序不提供的变量：{'、'.join(unknown)}",
                    hint=_NAMES_HINT,
                )
        if "sections" not in used:
            # Without the loop over sections no writer's text would be printed at all.
            raise TemplateError(
                "模板中没有正文部分（没有使用变量 sections），生成的报告将没有任何正文",
                file=self.template,
                hint="请确认 --template 指定的是总结报告模板；可在内置模板 templates/outline.docx 的基础上修改",
            )

    def _error(self, label: str, source: str, lineno: int | None, message: str, *, hint: str = _TAG_HINT) -> TemplateError:
        where = ""
        lines = source.split("\n")
        if lineno and 0 < lineno <= len(lines):
            # docxtpl puts each paragraph on its own line of the jinja source, so the
            # failing line starts with the paragraph at fault; find it in the template.
            text = _TAGS.sub("", lines[lineno - 1]).strip()
            tag = _JINJA_TAG.search(text)
            snippet = tag.group(0) if tag else text[:30]
            number = self._paragraph_number(label, snippet) if snippet else None
            if number:
                where = f"第 {number} 段"
            if snippet:
                where += f"（“{snippet[:60]}”）"
        return TemplateError(message, file=self.template, key=f"{label}{where}", hint=hint)

    def _paragraph_number(self, label: str, snippet: str) -> int | None:
        """1-based number of the first paragraph of the body (tables included) containing ``snippet``."""
        if "document.xml" not in label:
            return None
        from docx.oxml.ns import qn

        wanted = _normal_tag(snippet)
        body = self._docxtpl().docx.element.body
        for n, p in enumerate(body.iter(qn("w:p")), start=1):
            if wanted in _normal_tag("".join(t.text or "" for t in p.iter(qn("w:t")))):
                return n
        return None

    # -- rendering -----------------------------------------------------------------

    def render(self, assembled: Assembled, out_path: str | Path) -> Path:
        """Render ``assembled`` into ``out_path`` atomically; same inputs, same bytes."""
        return self.render_report(assembled, out_path)[0]

    def render_report(self, assembled: Assembled, out_path: str | Path) -> tuple[Path, list[Finding]]:
        """Like :meth:`render`, and also the warnings of :func:`render_findings`, from one context build."""
        context, findings = make_context(assembled)
        self._fill(context)
        document = self._tpl.docx
        _describe(document, assembled)
        path = save_deterministic(
            document, out_path, document_date(assembled), title=assembled.title, reuse=self._state.unchanged
        )
        return path, findings

    def _fill(self, context: dict[str, Any]) -> None:
        """What ``DocxTemplate.render`` does, on the parsed package and the compiled sources.

        Every part a render changes (body, headers, footers, core properties, footnotes)
        is reset or replaced here, so one render never leaks into the next, even after a
        failed one.
        """
        from jinja2 import TemplateError as JinjaError

        tpl, state = self._tpl, self._state
        tpl.pic_map, tpl.current_rendering_part, tpl.docx_ids_index, tpl.is_saved = {}, None, 1000, False
        state.reset()
        try:
            tpl.current_rendering_part = tpl.docx._part
            xml = fill_part(tpl, self._env.from_string(state.body), context)
            tree = fix_tables(tpl, xml)
            mark_punctuation(tree, self._style_fonts)  # “ ” — … in Chinese text drawn full-width
            tpl.fix_docpr_ids(tree)
            # docxtpl's map_tree, but the previous report's body is emptied first: lxml then
            # frees it at once instead of re-declaring namespaces node by node (~15 ms).
            root = tpl.docx.element
            old = root.body
            old.clear()
            root.replace(old, tree)
            for rel_key, source, encoding in state.headers_footers:
                tpl.current_rendering_part = tpl.docx._part.rels[rel_key].target_part
                xml = fill_part(tpl, self._env.from_string(source), context)
                tpl.map_headers_footers_xml(rel_key, xml.encode(encoding))
            tpl.render_properties(context, self._env)
            tpl.render_footnotes(context, self._env)
        except TemplateError:
            raise
        except (JinjaError, ArithmeticError, RecursionError, MemoryError, TypeError, ValueError, AttributeError,
                KeyError, IndexError) as exc:
            # A user's template can fail at run time in many ways (``{{ year + "x" }}``, ``{{ 1/0 }}``).
            part = getattr(tpl, "current_rendering_part", None)
            source = self._source_for(part)
            label = self._sources.get(source, str(getattr(part, "partname", "")))
            raise self._error(
                label, source, _template_line(exc), f"模板无法填充：{_runtime_reason(exc)}", hint=_NAMES_HINT
            ) from None

    def _source_for(self, part: Any) -> str:
        if part is None:
            return ""
        for source, label in self._sources.items():
            if str(part.partname).lstrip("/") in label:
                return source
        return ""


def _describe(document: Any, assembled: Assembled) -> None:
    """File properties Word shows under 文件 → 信息: the report's, not the template's."""
    cp = document.core_properties
    cp.author = assembled.cluster.units_text
    cp.subject = assembled.cluster.name
    cp.category = "创新型产业集群年度总结报告"
    cp.comments = ""
    cp.language = "zh-CN"


def _runtime_reason(exc: BaseException) -> str:
    """What went wrong while filling a template, in Chinese where Python's words are English."""
    from jinja2.exceptions import SecurityError

    if isinstance(exc, SecurityError) and re.search("[\u4e00-\u9fff]", str(exc)):
        return f"{exc}，模板不允许这样的计算"
    if isinstance(exc, ZeroDivisionError):
        return "除数为零"
    if isinstance(exc, OverflowError):
        return "计算结果过大"
    if isinstance(exc, RecursionError):
        return "宏的调用层数过多（可能是宏调用了自己）"
    if isinstance(exc, MemoryError):
        return "计算结果过大，内存不足"
    return str(exc)


def _template_line(exc: BaseException) -> int | None:
    """The template line of a jinja error: syntax errors carry it, runtime errors only in the traceback."""
    if getattr(exc, "lineno", None):
        return exc.lineno
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render_docx(assembled: Assembled, out_path: str | Path, *, template: str | Path | None = None) -> Path:
    """Render one report with a one-off :class:`Renderer` (batch keeps one per worker)."""
    return Renderer(template).render(assembled, out_path)
