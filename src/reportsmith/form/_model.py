"""The pydantic models that check each value of a form on its own.

One optional field per row of 附件2, addressed by its key or alias; the type check is
:func:`parse_value`, shared with the Excel reader so that both accept the same input:
integers, decimals, numeric strings with thousands separators ("1,234.5"), also typed
with full-width characters ("１２３．５"). Text, booleans, fractions for counts, negative
values (except 净利润) and absurdly large values are refused with a Chinese message
carried in the error context.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache, partial
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, create_model
from pydantic_core import PydanticCustomError

from reportsmith.form import spec as formspec
from reportsmith.form.data import Number
from reportsmith.form.spec import FormRow

# Entries of form.yaml that are not rows of the form.
FILE_FIELDS = ("cluster", "year", "表尾")
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^[+-]?\.\d+$", re.ASCII)


def _fail(rule: str, message: str, hint: str) -> PydanticCustomError:
    return PydanticCustomError("form_value", "{message}", {"rule": rule, "message": message, "hint": hint})


class UnreadCell:
    """An Excel cell that holds no number to read: a formula without a saved result, or a
    formula error (``#DIV/0!``). Refused with a message naming the cell, never taken as 未填."""

    def __init__(self, ref: str, formula: str | None = None, error: str | None = None) -> None:
        self.ref, self.formula, self.error = ref, formula, error

    def __repr__(self) -> str:  # shown where the value typed is quoted
        return self.error or self.formula or self.ref

    def problem(self, name: str) -> PydanticCustomError:
        if self.error:
            return _fail("form.formula_error", f"“{name}”（单元格 {self.ref}）的公式计算出错（{self.error}）",
                         "请改正公式，或直接填写数字")
        return _fail("form.formula_not_computed",
                     f"“{name}”（单元格 {self.ref}）是公式“{self.formula}”，但文件中没有保存公式的计算结果",
                     "请在 Excel/WPS 中打开该文件、确认数字显示正常后保存，或把公式改为数字")


def _as_decimal(value: Any, row: FormRow) -> Decimal | None:
    name = row.key
    if isinstance(value, UnreadCell):
        raise value.problem(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _fail("form.wrong_type", f"“{name}”的值是真假值“{value}”，不是数字",
                    "请填写数字；注意 YAML 会把 yes/no/on/off 读成真假值")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _fail("form.wrong_type", f"“{name}”的值“{value}”不是有效数字", "请填写普通数字")
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _fail("form.wrong_type", f"“{name}”的值“{value}”不是有效数字", "请填写普通数字")
        return value
    if isinstance(value, str):
        # A Chinese input method easily types full-width digits, points and commas.
        text = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
        if _NUMBER.match(text):
            try:
                return Decimal(text.replace(",", ""))
            except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
                pass
        unit = f"（单位：{row.unit}）" if row.unit else ""
        raise _fail("form.wrong_type", f"“{name}”的值“{value}”不是数字",
                    f"请只填写数字{unit}，不要带单位或文字；千位分隔符“,”可以保留")
    if isinstance(value, (datetime.date, datetime.time)):
        # Excel/WPS turn "1-2" or "3:30" into a date or time; YAML reads 2024-01-02 as a date.
        raise _fail("form.wrong_type", f"“{name}”的值“{value}”是日期或时间，不是数字",
                    "请把该单元格的格式设为“数值”后重新填写数字；form.yaml 中请只写数字")
    kind = "列表" if isinstance(value, (list, tuple)) else "映射" if isinstance(value, dict) else "其他类型"
    raise _fail("form.wrong_type", f"“{name}”应是一个数字，而不是{kind}", "请在冒号后直接写一个数字")


def parse_value(value: Any, row: FormRow) -> Number | None:
    """The value of ``row`` as int (counts) or Decimal (万元), None if empty.

    Raises ``PydanticCustomError`` whose context holds ``rule``, ``message`` and ``hint``.

    >>> parse_value("1,234.5", formspec.get_row("营业收入"))
    Decimal('1234.5')
    """
    number = _as_decimal(value, row)
    if number is None:
        return None
    name = row.key
    if row.kind == "count" and number != number.to_integral_value():
        raise _fail("form.not_integer", f"“{name}”是计数（单位：{row.unit}），应为整数，填写的是“{value}”",
                    "请填写整数")
    if number < 0 and row.kind != "signed_amount":
        hint = "计数应 ≥ 0；没有时填 0" if row.kind == "count" else "金额应 ≥ 0；只有净利润可以为负（亏损）"
        raise _fail("form.negative", f"“{name}”不能为负数（填写的是 {value}）", hint)
    limit = formspec.value_limit(row.kind)
    if abs(number) > limit:
        # No real cluster comes near; it is a slip of the keyboard (or of the unit), and
        # beyond it Excel, which stores doubles, would no longer keep every digit.
        unit_hint = "金额以万元为单位，不要按元填写；" if row.unit == "万元" else ""
        raise _fail("form.too_large", f"“{name}”的值 {value} 大得不合常理（上限为 {limit:,} {row.unit}）",
                    f"{unit_hint}请核对位数")
    return int(number) if row.kind == "count" else number


def _field(row: FormRow) -> tuple[Any, Any]:
    names = (row.key, row.alias) if row.alias else (row.key,)
    annotated = Annotated[Any, BeforeValidator(partial(parse_value, row=row))]
    return annotated, Field(default=None, alias=row.key, validation_alias=AliasChoices(*names))


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False)


@lru_cache(maxsize=1)
def values_model() -> type[BaseModel]:
    """Rows only: the model of the ``previous:`` mapping."""
    fields = {f"r{r.order}": _field(r) for r in formspec.value_rows()}
    return create_model("FormValues", __base__=_Base, **fields)


@lru_cache(maxsize=1)
def file_model() -> type[BaseModel]:
    """Rows plus ``cluster``, ``year`` and the footer ``表尾`` (whose values are checked separately)."""
    return create_model("FormFile", __base__=values_model(), cluster=(Any, None), year=(Any, None), **{"表尾": (Any, None)})
