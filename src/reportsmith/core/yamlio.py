"""Read the YAML inputs writers edit, keeping line numbers for messages.

:func:`load_yaml` returns the plain data plus a :class:`LineMap` that answers "on which
line is this key?", so validation messages can say ``report.yaml:12``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reportsmith.core.errors import InputError, os_error_reason


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
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
)


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
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise InputError(
            f"YAML 格式错误：{_problem_text(exc.problem or exc.context)}",
            file=file,
            line=line,
            hint="请检查该行的缩进、冒号后的空格和引号是否成对；多段文字请在键后写“|”再换行缩进",
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - non-marked errors are rare
        raise InputError(f"YAML 格式错误：{exc}", file=file) from None
    finally:
        loader.dispose()
    if node is None:
        return None, LineMap()
    _check_duplicate_keys(node, file)
    lines: dict[tuple, int] = {}
    _walk(node, (), lines)
    return data, LineMap(lines)


def load_yaml(path: str | Path) -> tuple[Any, LineMap]:
    """Read a UTF-8 YAML file (a BOM is accepted) with its line map."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("文件不存在", file=path, hint="请检查路径，或用 reportsmith init 生成模板") from None
    except OSError as exc:
        raise InputError(f"无法读取文件：{os_error_reason(exc)}", file=path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"文件不是 UTF-8 编码（第 {exc.start} 字节处无法解码）",
            file=path,
            hint="请在编辑器中以 UTF-8 编码另存；WPS/记事本“另存为”时选择 UTF-8",
        ) from None
    return parse_yaml(text, path)
