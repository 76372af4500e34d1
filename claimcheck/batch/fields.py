"""The archive's own fields: what an input says about each article besides its text and
id (outlet, date, url, section, author, anything), carried onto every row of that article.

- Names: a field keeps its name, unless the name is an output column (``source``,
  ``score``, ``article_id``, ...): then it is written as ``archive_`` + the name
  (``archive_source``). So that no two fields ever meet under one name, a field whose name
  already is such a renamed name (``archive_source``) gets the prefix too
  (``archive_archive_source``). The rule depends on the name alone, so every article of
  an input, and every run, renames alike.
- ``outlet``: where an article has a ``url`` but no ``outlet`` (or a null one), its outlet
  is the URL's host (:func:`claimcheck.credibility.outlet_of`, the rule the outlet ratings
  and the dashboard use too).
- Types: a Parquet input's columns keep their Arrow types (:func:`parquet_fields`); on
  the way through the JSON lines of a run they travel as the JSON types of
  :func:`json_type` and are cast back when the Parquet output is made. JSON inputs (JSONL
  lines, sidecar files) have JSON types: :func:`kind_of` names one value's, the run
  merges them (:func:`merge_kinds`) and :func:`kinds_schema` makes the Parquet columns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from claimcheck.batch.output import COLUMNS
from claimcheck.credibility import outlet_of
from claimcheck.errors import BatchError
from claimcheck.pipeline import clean_text

if TYPE_CHECKING:
    import pyarrow as pa

PREFIX = "archive_"
#: Field metadata of a Parquet column that holds each value as JSON text (mixed or nested JSON values).
JSON_ENCODING = {b"encoding": b"json"}


def column_name(name: str) -> str:
    """The output column of an archive field named ``name`` (see the module docstring)."""
    base = name
    while base not in COLUMNS and base.startswith(PREFIX):
        base = base[len(PREFIX) :]
    return PREFIX + name if base in COLUMNS else name


def renamed(columns: list[str]) -> dict[str, str]:
    """Which of these field columns are renamed fields: ``{"source": "archive_source"}``."""
    return {c[len(PREFIX) :]: c for c in columns if c.startswith(PREFIX) and column_name(c[len(PREFIX) :]) == c}


def _clean(value: Any) -> Any:
    """JSON values with lone surrogates (which Arrow and UTF-8 cannot hold) made U+FFFD."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): _clean(v) for k, v in value.items()}
    return value


def archive_fields(data: Mapping[str, Any], skip: tuple[str, ...] = (), outlet: bool = True) -> dict[str, Any] | None:
    """The fields of one article, renamed, in their order, ``outlet`` added from ``url``
    (unless ``outlet`` is false); ``skip``: keys that are no fields (``text``, ``id``).
    ``None`` when there are none."""
    fields = {column_name(clean_text(k)): _clean(v) for k, v in data.items() if k not in skip}
    url = fields.get("url")
    if outlet and fields.get("outlet") is None and isinstance(url, str):
        fields["outlet"] = outlet_of(url)
    return fields or None


# --------------------------------------------------------------------------- JSON inputs


def kind_of(value: Any) -> str:
    """The JSON kind of a field value: ``null``, ``bool``, ``int``, ``float``, ``string``,
    ``list<string>`` or ``json`` (any other list, an object, an int outside int64)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int" if -(2**63) <= value < 2**63 else "json"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list) and all(v is None or isinstance(v, str) for v in value):
        return "list<string>"
    return "json"


def merge_kinds(kinds: dict[str, str], fields: Mapping[str, Any]) -> dict[str, str]:
    """``kinds`` widened by one article's fields: null gives way to anything, int and
    float make float, any other two kinds make json. New names come last."""
    merged = dict(kinds)
    for name, value in fields.items():
        new, old = kind_of(value), merged.get(name, "null")
        if old == "null" or new == old:
            merged[name] = new
        elif new != "null":
            merged[name] = "float" if {old, new} == {"int", "float"} else "json"
    return merged


def kinds_schema(kinds: Mapping[str, str]) -> pa.Schema:
    """The Parquet columns of JSON fields: int64, float64, bool, string, list<string>;
    a field never seen with a value is a string column, and a json one holds JSON text."""
    import pyarrow as pa

    types = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "list<string>": pa.list_(pa.string())}
    return pa.schema(
        [
            pa.field(name, types.get(kind, pa.string()), metadata=JSON_ENCODING if kind == "json" else None)
            for name, kind in kinds.items()
        ]
    )


# --------------------------------------------------------------------------- Parquet inputs


def json_type(kind: pa.DataType) -> pa.DataType:
    """The type whose values a JSON line holds for a column of type ``kind``: dates,
    timestamps and decimals as strings (ISO 8601, decimal digits), categoricals as their
    values, lists and structs of those; other types as they are. Raises ``TypeError``
    for a type that cannot go to JSON and back (binary, time, duration, map, ...)."""
    import pyarrow as pa
    import pyarrow.types as pt

    if pt.is_dictionary(kind):
        return json_type(kind.value_type)
    if pt.is_date(kind) or pt.is_timestamp(kind) or pt.is_decimal(kind):
        return pa.string()
    if pt.is_list(kind) or pt.is_large_list(kind):
        return pa.list_(json_type(kind.value_type))
    if pt.is_struct(kind):
        return pa.struct([pa.field(f.name, json_type(f.type)) for f in kind])
    if pt.is_null(kind) or pt.is_boolean(kind) or pt.is_integer(kind) or pt.is_floating(kind):
        return kind
    if pt.is_string(kind) or pt.is_large_string(kind):
        return kind
    raise TypeError(kind)


def parquet_fields(schema: pa.Schema, skip: tuple[str, ...]) -> tuple[pa.Schema, bool]:
    """A Parquet input's fields as output columns (renamed, types kept), with a string
    ``outlet`` added where there is a string ``url`` and no ``outlet``; and whether
    outlets are filled in from URLs (not into an ``outlet`` column of another type)."""
    import pyarrow as pa

    out = []
    for f in schema:
        if f.name in skip:
            continue
        try:
            json_type(f.type)
        except TypeError:
            raise BatchError(
                f"the column `{f.name}` holds {f.type}, which batch cannot carry to the rows; "
                "drop or cast it (see docs/batch.md, The archive's fields)"
            ) from None
        out.append(pa.field(column_name(f.name), f.type))  # the input's metadata stays behind
    names = {f.name: f for f in out}
    textual = (pa.string(), pa.large_string())
    url_ok = "url" in names and json_type(names["url"].type) in textual
    if url_ok and "outlet" not in names:
        out.append(pa.field("outlet", pa.string()))
        return pa.schema(out), True
    fill = url_ok and json_type(names["outlet"].type) in textual
    return pa.schema(out), fill


def to_json_values(column: pa.Array | pa.ChunkedArray) -> list[Any]:
    """A Parquet input's column as the JSON values the rows carry."""
    return column.cast(json_type(column.type)).to_pylist()


def field_array(values: list[Any], field: pa.Field) -> pa.Array:
    """The JSON values of one output column, as an Arrow array of the column's type."""
    import pyarrow as pa

    if field.metadata == JSON_ENCODING:
        values = [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
    return pa.array(values, json_type(field.type)).cast(field.type)
