"""Read the YAML inputs writers edit, keeping line numbers for messages.

:func:`load_yaml` returns the plain data plus a :class:`LineMap` that answers "on which
line is this key?", so validation messages can say ``report.yaml:12``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
import re
from typing import Any

import yaml

from reportsmith.core.errors import InputError
from reportsmith.core.limits import limit, read_text_input


@dataclass
class LineMap:
    """Line numbers (1-based) of mapping keys, addressed by their path of keys."""

    lines: dict[tuple, int] = field(default_factory=dict)

    def line(self, *path: Any) -> int | None:
        """The line of the deepest known prefix of ``path``."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return None


# The C parser (libyaml) is several times faster; fall back to the pure-Python one.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loading with YAML 1.2 numbers: ``0346`` is 346, not octal 230.

    YAML 1.1 (PyYAML's default) reads ``017`` as octal, ``1:30`` as base 60 (90),
    ``0x15A`` as hex and ``1_000`` as 1000. A writer means none of these; here only plain
    decimal digits (an optional sign, point and exponent) are numbers. Everything else
    stays text, which the form then refuses with a message saying what was typed.
    Booleans and dates are unchanged.
    """


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _FLOAT)]
    for ch, resolvers in _Base.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_INT, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."),
)


def _too_long(node: yaml.ScalarNode) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(
        None, None, f"数字“{node.value[:20]}…”有 {len(node.value)} 位，超过了 {limit('yaml', 'max_number_digits')} 位", node.start_mark
    )


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    value = loader.construct_scalar(node)
    if len(value) > limit("yaml", "max_number_digits"):
        raise _too_long(node)
    try:
        return int(value, 10)  # decimal even with leading zeros
    except ValueError:
        raise yaml.constructor.ConstructorError(None, None, f"“{value}”不是十进制整数", node.start_mark) from None


def _construct_float(loader: Any, node: yaml.ScalarNode) -> float:
    value = loader.construct_scalar(node)
    if len(value) > limit("yaml", "max_number_digits") + 10:
        raise _too_long(node)
    try:
        return float(value.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf").lower().replace(".nan", "nan"))
    except ValueError:
        raise yaml.constructor.ConstructorError(None, None, f"“{value}”不是数字", node.start_mark) from None


def _construct_timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        raise yaml.constructor.ConstructorError(
            None, None, f"日期“{node.value}”不存在（月份应为 1～12，日期不超过当月天数）", node.start_mark
        ) from None


_Loader.add_constructor(_INT, _construct_int)
_Loader.add_constructor(_FLOAT, _construct_float)
_Loader.add_constructor(_TIMESTAMP, _construct_timestamp)

# Characters YAML does not accept in a file (form feed, vertical tab … pasted from Word or
# a web page). They are carried through parsing as private-use characters and restored in
# the values read, so the step that writes Word removes them with its promised warning.
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U000EFFFF\U000F00A0-\U0010FFFF]")
_CARRIER = 0xF0000
_CARRIED = re.compile("[\U000F0000-\U000F009F]")


def _carry(text: str) -> tuple[str, bool]:
    if not _NON_PRINTABLE.search(text):
        return text, False
    return _NON_PRINTABLE.sub(lambda m: chr(_CARRIER + ord(m.group(0))) if ord(m.group(0)) < 0xA0 else "\uFFFD", text), True


def _restore(value: Any) -> Any:
    if isinstance(value, str):
        return _CARRIED.sub(lambda m: chr(ord(m.group(0)) - _CARRIER), value)
    if isinstance(value, dict):
        return {_restore(k): _restore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v) for v in value]
    return value


def _scan(text: str, file: str) -> None:
    """Refuse anchors and aliases, too many nodes and too deep nesting, before building anything.

    Report inputs never need anchors (``&a``) or aliases (``*a``); a few hundred bytes of
    them can stand for billions of values (the "billion laughs").
    """
    max_nodes, max_depth = limit("yaml", "max_nodes"), limit("yaml", "max_depth")
    loader = _Loader(text)
    nodes = depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                raise InputError(
                    "使用了 YAML 锚点（“&名称”）或别名引用（“*名称”），填报文件不支持",
                    file=file,
                    line=mark.line + 1 if mark else None,
                    hint="请把内容直接写出来；如果“&”或“*”是文字的一部分，请给整段文字加引号",
                )
            if isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                nodes += 1
                if nodes > max_nodes:
                    raise InputError(f"文件中的键和值过多（超过 {max_nodes:,} 个），已拒绝读取", file=file,
                                     line=event.start_mark.line + 1, hint="正常的填报文件远小于此；请检查是否粘贴了大量无关内容")
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > max_depth:
                    raise InputError(f"嵌套层数过多（超过 {max_depth} 层），已拒绝读取", file=file,
                                     line=event.start_mark.line + 1, hint="请检查缩进和括号")
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    finally:
        loader.dispose()


def _walk(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            sub = path + (key,)
            lines.setdefault(sub, key_node.start_mark.line + 1)
            _walk(value_node, sub, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            sub = path + (i,)
            lines.setdefault(sub, item.start_mark.line + 1)
            _walk(item, sub, lines)


# The YAML parser's problems in words a writer can act on, matched by a fragment of its
# message (libyaml and the pure-Python parser word them differently).
_PROBLEMS_ZH = (
    (("cannot start any token",), "该行可能用了制表符（Tab）缩进或以“@”“`”开头；YAML 只能用空格缩进，特殊字符开头的文字请加引号"),
    (("unknown escape character",), "双引号中的反斜杠“\\”被当作转义符；路径请改用“/”，或改用单引号"),
    (("mapping values are not allowed",), "这里出现了“键: 值”形式的冒号；如果冒号是正文的一部分，请给整段文字加引号，或在键后写“|”换行缩进"),
    (("expected ',' or ']'", "expected ',' or '}'"), "方括号或花括号没有配对"),
    (("could not find expected ':'",), "缺少冒号“:”，或上一行的引号没有配对"),
    (("expected <block end>", "did not find expected key"), "缩进不一致：同一层的键须对齐"),
    (("undefined alias",), "文字中的“*”被当作 YAML 引用；请给这段文字加引号"),
    (("unexpected end of stream",), "文件在引号或括号配对之前就结束了"),
    (("could not determine a constructor for the tag",), "用了以“!”开头的 YAML 类型标记，填报文件不支持；请删去该标记，或给整段文字加引号"),
    (("found unhashable key",), "键不能是列表或映射（如“? [a, b]”或“[a, b]: 值”）；请改用普通文字作键，或给它加引号"),
    (("found undefined tag handle", "found unknown directive", "found incompatible YAML document", "found duplicate"),
     "以“!”或“%”开头的 YAML 标记或指令，填报文件不支持；请删去，或给整段文字加引号"),
    (("expected a single document",), "文件中有多个以“---”分隔的文档；请只保留一个"),
)


_CJK = re.compile("[\u4e00-\u9fff]")


def _problem_text(problem: str | None) -> str:
    problem = problem or ""
    for fragments, zh in _PROBLEMS_ZH:
        if any(f in problem for f in fragments):
            return zh
    return problem


def _check_duplicate_keys(node: yaml.Node, file: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                k = key_node.value
                line = key_node.start_mark.line + 1
                if k in seen:
                    raise InputError(
                        f"键“{k}”出现了两次（第 {seen[k]} 行和第 {line} 行）",
                        file=file,
                        line=line,
                        key=k,
                        hint="请合并为一处，否则后一处会覆盖前一处",
                    )
                seen[k] = line
            _check_duplicate_keys(value_node, file)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicate_keys(item, file)


def parse_yaml(text: str, file: str | Path) -> tuple[Any, LineMap]:
    """Parse YAML text; raise :class:`InputError` with file and line on a syntax error."""
    file = str(file)
    text, carried = _carry(text)
    loader = _Loader(text)
    try:
        _scan(text, file)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        if isinstance(exc, yaml.constructor.ConstructorError) and exc.problem and _CJK.search(exc.problem):
            # A value this module refused (an impossible date, a number of absurd length).
            raise InputError(exc.problem, file=file, line=line, hint="请改正该处的值；如果它是文字，请加引号") from None
        raise InputError(
            f"YAML 格式错误：{_problem_text(exc.problem or exc.context)}",
            file=file,
            line=line,
            hint="请检查该行的缩进、冒号后的空格和引号是否成对；多段文字请在键后写“|”再换行缩进",
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - non-marked errors are rare
        raise InputError(f"YAML 格式错误：{_problem_text(str(exc))}", file=file,
                         hint="请检查该处的缩进、冒号后的空格和引号是否成对") from None
    except RecursionError:
        raise InputError("YAML 嵌套层数过多，无法读取", file=file, hint="请检查缩进和括号") from None
    finally:
        loader.dispose()
    if node is None:
        return None, LineMap()
    _check_duplicate_keys(node, file)
    lines: dict[tuple, int] = {}
    _walk(node, (), lines)
    if carried:
        data = _restore(data)
    return data, LineMap(lines)


def load_yaml(path: str | Path) -> tuple[Any, LineMap]:
    """Read a UTF-8 YAML file (a BOM is accepted) with its line map."""
    path = Path(path)
    raw = read_text_input(path, "yaml")  # a regular file within the size limit, or a message
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"文件不是 UTF-8 编码（第 {exc.start} 字节处无法解码）",
            file=path,
            hint="请在编辑器中以 UTF-8 编码另存；WPS/记事本“另存为”时选择 UTF-8",
        ) from None
    return parse_yaml(text, path)
