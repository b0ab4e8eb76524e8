"""Request bodies -> model input arrays, the way the training data was prepared; model output ->
predictions. numpy, Pillow and `tokenizers` only: this file is copied, as it is, into an exported
service folder (as ``serve_inputs.py``), which runs without NeuroCanvas installed.

A served model is described by its *spec* (see ``engine/serve/spec.py``: task, output kind, input
kind, class names, the table's columns) and its *preprocessing* record (``Preprocessing.to_dict()``:
fill values, mean/std, scale, tokenizer). Inputs, by the model's input kind:

- table: ``{"rows": [{"column": raw value, ...}, ...]}`` (or ``"row"``): raw values as in the file
  (numbers or numeric strings, category names), missing cells filled as in training where the
  model learnt a fill, categories one-hot or ordinal encoded, then standardised;
- image: ``{"images": [base64, ...]}`` (or ``"image"``), or a PNG/JPEG body: decoded, converted to
  grayscale or RGB, resized (bilinear) to the training size, scaled and normalised per channel;
- text: ``{"texts": [...]}`` (or ``"text"``): tokenised by the saved tokenizer;
- any model: ``{"inputs": [...]}``: raw arrays of the sample shape (images as 0-255 values).

Every refusal is an ``InputError`` naming the field (``rows[0].age``), which the app answers with
422 and ``{"error": ..., "field": ...}``.
"""

from __future__ import annotations

import base64
import binascii
import html
import io
import math
from typing import Any

import numpy as np

MAX_BATCH = 256  # samples in one request
MAX_IMAGE_PIXELS = 4096 * 4096  # a decoded image larger than this is refused before decoding
NA_TEXTS = {"", "na", "n/a", "nan", "null", "none", "?", "-", "--", "missing", "#n/a"}
_TRUE, _FALSE = {"true", "yes"}, {"false", "no"}


class InputError(ValueError):
    """A request the model cannot take; `field` names the part at fault."""

    def __init__(self, field: str, message: str, status: int = 422):
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.status = field, message, status


class SpecError(ValueError):
    """A model whose saved description cannot be served (damaged or unsupported)."""


def input_kind(pre: dict[str, Any] | None, shape: list[int]) -> str:
    """'text', 'image', 'table' or 'tensor' for a model of sample shape `shape`."""
    pre = pre or {}
    if pre.get("tokenizer"):
        return "text"
    looks_like_image = len(shape) == 3 and shape[0] in (1, 3)  # (C, H, W), gray or RGB
    if pre.get("kind") == "image" or (looks_like_image and (_scaled(pre) or not pre)):
        return "image"  # no record at all (initial weights): 8-bit pixels scaled to [0, 1]
    if len(shape) == 1 and (pre.get("table") or pre.get("feature_names")):
        return "table"
    return "tensor"


def _scaled(pre: dict[str, Any]) -> bool:
    return float(pre.get("scale", 1.0)) != 1.0


def check_spec(spec: Any) -> None:
    """Refuse a serving spec a reader could not trust (it comes from a file)."""
    item = spec.get("input") if isinstance(spec, dict) else None
    shape = item.get("shape") if isinstance(item, dict) else None
    ok = (
        isinstance(shape, list)
        and 0 < len(shape) <= 8
        and all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 1 << 24 for d in shape)
        and item.get("kind") in ("table", "image", "text", "tensor")
        and item.get("dtype", "float32") in ("float32", "int64")
        and spec.get("output", "values")
        in ("probabilities", "log_probabilities", "softmax", "sigmoid", "values")
        and isinstance(spec.get("class_names", []), list)
        and all(isinstance(c, str) for c in spec.get("class_names", []))
    )
    if not ok:
        raise SpecError("the saved serving spec is damaged (input kind, shape, dtype or output)")
    if item["kind"] == "image" and (len(shape) != 3 or shape[0] not in (1, 3)):
        raise SpecError(f"an image model needs a (1 or 3, H, W) input, not {shape}")


def table_columns(pre: dict[str, Any], width: int) -> list[dict[str, Any]]:
    """The raw columns of a table model: the saved record, or (older checkpoints) the feature names,
    'name=value' names read as one-hot blocks. Checked against the model's `width` features."""
    record = pre.get("table")  # table_rows.table_schema: file columns, target, features
    if isinstance(record, dict) and isinstance(record.get("features"), list):
        columns = record["features"]
        for c in columns:
            ok = (
                isinstance(c, dict)
                and isinstance(c.get("name"), str)
                and c.get("kind") in ("numeric", "onehot", "ordinal")
                and isinstance(c.get("values", []), list)
                and all(isinstance(v, str) for v in c.get("values", []))
            )
            if not ok:
                raise SpecError(f"the saved table columns are damaged ({str(c)[:80]})")
    else:
        columns = []
        for name in pre.get("feature_names") or []:
            base, eq, value = str(name).partition("=")
            if eq and columns and columns[-1]["name"] == base and columns[-1]["kind"] == "onehot":
                columns[-1]["values"].append(value)
            elif eq:
                columns.append({"name": base, "kind": "onehot", "values": [value]})
            else:
                columns.append({"name": str(name), "kind": "numeric", "values": []})
    count = sum(len(c["values"]) if c["kind"] == "onehot" else 1 for c in columns)
    if count != width:
        raise SpecError(f"the table's columns make {count} features; the model takes {width}")
    return columns


class Preparer:
    """Turns request bodies into the model's input array (float32 or int64, batch first)."""

    def __init__(self, spec: dict[str, Any], pre: dict[str, Any] | None):
        self.spec, self.pre = spec, dict(pre or {})
        self.shape = [int(s) for s in spec["input"]["shape"]]
        self.dtype = spec["input"].get("dtype", "float32")
        self.kind = spec["input"]["kind"]
        self.columns = table_columns(self.pre, self.shape[0]) if self.kind == "table" else []
        record = self.pre.get("table") if isinstance(self.pre.get("table"), dict) else {}
        # The file's other columns (the target, ignored ones) may come in a row and are passed over.
        features = {str(c["name"]) for c in self.columns}
        other = {str(c) for c in record.get("columns") or [] if str(c) not in features}
        self.passed_over = {str(record.get("target") or "")} | other
        self.fill = list(self.pre.get("fill") or [])
        self.tokenizer = None
        if self.kind == "text":
            from tokenizers import Tokenizer

            try:
                self.tokenizer = Tokenizer.from_str(self.pre["tokenizer"])
            except Exception as problem:  # noqa: BLE001 - a damaged record: the library's words
                raise SpecError(f"the saved tokenizer does not load ({problem})") from None
        stats = self.pre.get("stats_shape") or []
        self.mean = self.std = None
        if self.pre.get("mean") is not None and self.pre.get("std") is not None:
            self.mean = np.asarray(self.pre["mean"], dtype=np.float32).reshape(stats)
            self.std = np.asarray(self.pre["std"], dtype=np.float32).reshape(stats)

    # ---- the request body ---------------------------------------------------------------------
    def from_body(self, body: Any) -> np.ndarray:
        """The model input for a parsed JSON body (a dict)."""
        if not isinstance(body, dict):
            raise InputError("body", "expected a JSON object such as " + self.example_text())
        keys = {"rows": "table", "images": "image", "texts": "text", "inputs": "tensor"}
        singles = {"row": "rows", "image": "images", "text": "texts"}
        given = [k for k in list(keys) + list(singles) if k in body]
        if len(given) != 1:
            what = "no" if not given else "more than one"
            raise InputError(
                "body", f"{what} input field; send one of them, e.g. {self.example_text()}"
            )
        field = given[0]
        values = [body[field]] if field in singles else body[field]
        plural = singles.get(field, field)
        wanted = "tensor" if plural == "inputs" else keys[plural]
        if wanted != "tensor" and wanted != self.kind:
            raise InputError(
                field, f"this model takes {self.kind} input; send {self.example_text()}"
            )
        if plural == "inputs":
            return self.from_arrays(values, field)
        if not isinstance(values, list) or not values:
            raise InputError(field, "expected a non-empty list")
        self._check_batch(len(values), field)
        if plural == "rows":
            return self.prepare(self._rows(values, field))
        if plural == "images":
            return self.from_images([_b64(v, f"{field}[{i}]") for i, v in enumerate(values)], field)
        return self.from_texts(values, field)

    def example_text(self) -> str:
        return {
            "table": '{"rows": [{"column": value, ...}]}',
            "image": '{"images": ["<base64 PNG or JPEG>"]} or a PNG/JPEG body',
            "text": '{"texts": ["some text"]}',
        }.get(self.kind, '{"inputs": [[...]]}')

    def example_body(self) -> dict[str, Any]:
        """A request body this model takes (a table row of typical values: the training means)."""
        if self.kind == "table":
            row: dict[str, Any] = {}
            means = [] if self.mean is None else self.mean.reshape(-1).tolist()
            start = 0
            for c in self.columns:
                if c["kind"] == "numeric":
                    row[c["name"]] = float(f"{means[start]:.4g}") if start < len(means) else 0.0
                else:
                    row[c["name"]] = c["values"][0] if c["values"] else ""
                start += len(c["values"]) if c["kind"] == "onehot" else 1
            return {"rows": [row]}
        if self.kind == "text":
            return {"texts": ["a text to classify"]}
        if self.kind == "image":
            return {"images": ["<base64 of a PNG or JPEG file>"]}
        return {"inputs": [np.zeros(self.shape).tolist()]}

    def _check_batch(self, n: int, field: str) -> None:
        if n > MAX_BATCH:
            raise InputError(field, f"{n} samples; at most {MAX_BATCH} per request", 413)

    # ---- tables -------------------------------------------------------------------------------
    def _rows(self, rows: list[Any], field: str) -> np.ndarray:
        out = np.empty((len(rows), self.shape[0]), dtype=np.float32)
        known = {c["name"] for c in self.columns}
        for r, row in enumerate(rows):
            where = f"{field}[{r}]" if field == "rows" else field
            if not isinstance(row, dict):
                raise InputError(where, "expected an object of column name -> value")
            for name in row:
                if name not in known and name not in self.passed_over:
                    listing = ", ".join(repr(c["name"]) for c in self.columns)
                    raise InputError(
                        f"{where}.{name}", f"unknown column; the columns are {listing}"
                    )
            start = 0
            for column in self.columns:
                width = len(column["values"]) if column["kind"] == "onehot" else 1
                try:
                    out[r, start : start + width] = self._cell(column, row.get(column["name"]))
                except _CellError as error:
                    raise InputError(f"{where}.{column['name']}", error.message) from None
                if np.isnan(out[r, start]) and not self._fillable(start):
                    raise InputError(
                        f"{where}.{column['name']}",
                        "missing value; the model was trained with no missing values in this "
                        "column, so it has nothing to fill it with",
                    )
                start += width
        return out

    def _fillable(self, start: int) -> bool:
        return start < len(self.fill) and self.fill[start] is not None

    def _cell(self, column: dict[str, Any], value: Any) -> Any:
        name, kind, values = column["name"], column["kind"], column["values"]
        if value is None or (isinstance(value, str) and value.strip().lower() in NA_TEXTS):
            return np.nan
        if kind == "numeric":
            number = _number(value)
            if number is None:
                raise _CellError(name, f"expected a number, got {_shown(value)}")
            return number
        text = _category_text(value)
        if text not in values:
            listing = ", ".join(repr(v) for v in values[:20]) + (" ..." if len(values) > 20 else "")
            raise _CellError(name, f"unknown category {_shown(value)}; known: {listing}")
        index = values.index(text)
        if kind == "ordinal":
            return float(index)
        block = np.zeros(len(values), dtype=np.float32)
        block[index] = 1.0
        return block

    # ---- images -------------------------------------------------------------------------------
    def from_images(self, blobs: list[bytes], field: str = "images") -> np.ndarray:
        self._check_batch(len(blobs), field)
        channels, height, width = self.shape
        arrays = [
            self._decode(b, f"{field}[{i}]", channels, height, width) for i, b in enumerate(blobs)
        ]
        return self.prepare(np.stack(arrays), scale=True)

    @staticmethod
    def _decode(data: bytes, field: str, channels: int, height: int, width: int) -> np.ndarray:
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as im:
                if im.size[0] * im.size[1] > MAX_IMAGE_PIXELS:
                    raise InputError(
                        field,
                        f"the image is {im.size[0]}x{im.size[1]} pixels; at most {MAX_IMAGE_PIXELS:,}",
                    )
                im = im.convert("L" if channels == 1 else "RGB")
                if im.size != (width, height):
                    im = im.resize((width, height), Image.Resampling.BILINEAR)
                arr = np.asarray(im, dtype=np.uint8)
        except InputError:
            raise
        except Exception:  # noqa: BLE001 - Pillow's many ways to refuse bytes: one message
            raise InputError(
                field, "not an image the server can decode (send PNG or JPEG)"
            ) from None
        return arr[None] if channels == 1 else arr.transpose(2, 0, 1)

    # ---- texts --------------------------------------------------------------------------------
    def from_texts(self, texts: list[Any], field: str = "texts") -> np.ndarray:
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise InputError(f"{field}[{i}]", f"expected a string, got {_shown(text)}")
        decode = bool(self.pre.get("decode_html", True))
        cleaned = [html.unescape(t) if decode else t for t in texts]
        ids = [e.ids for e in self.tokenizer.encode_batch(cleaned)]
        return np.asarray(ids, dtype=np.int64).reshape(len(texts), -1)

    # ---- raw arrays ---------------------------------------------------------------------------
    def from_arrays(self, values: Any, field: str = "inputs") -> np.ndarray:
        try:
            array = np.asarray(values, dtype=np.float64)
        except (ValueError, TypeError):
            raise InputError(field, "expected nested lists of numbers of one shape") from None
        if list(array.shape) == self.shape:
            array = array[None]
        if list(array.shape[1:]) != self.shape or array.shape[0] < 1:
            wanted = ", ".join(str(s) for s in ["N", *self.shape])
            raise InputError(field, f"expected shape ({wanted}), got {tuple(array.shape)}")
        self._check_batch(array.shape[0], field)
        if self.dtype == "int64":
            if (
                not np.all(np.isfinite(array))
                or np.any(array != np.round(array))
                or np.any(array < 0)
            ):
                raise InputError(field, "expected whole numbers >= 0 (token ids)")
            return array.astype(np.int64)
        if np.isinf(array).any():
            raise InputError(field, "infinite values are not allowed")
        return self.prepare(array.astype(np.float32), scale=self.kind == "image")

    # ---- the saved preprocessing ----------------------------------------------------------------
    def prepare(self, x: np.ndarray, scale: bool = False) -> np.ndarray:
        """``Preprocessing.apply`` in numpy: scale, fill missing cells, standardise (float32).
        `scale`: `x` holds 0-255 pixel values (decoded images)."""
        if self.dtype == "int64":
            return x.astype(np.int64)
        if scale:  # 8-bit pixels to [0, 1], as every image loader does it (a division)
            x = x.astype(np.float32) / np.float32(255.0)
        elif not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float32) * np.float32(float(self.pre.get("scale", 1.0)))
        x = x.astype(np.float32, copy=False)
        if self.fill and x.ndim == 2 and len(self.fill) == x.shape[1]:
            values = np.asarray([np.nan if v is None else v for v in self.fill], dtype=np.float32)
            x = np.where(np.isnan(x), values[None, :], x)
        if np.isnan(x).any():
            raise InputError("inputs", "missing (NaN) values the model has no fill for")
        if self.mean is None:
            return x
        if self.pre.get("kind") == "sequence" and self.pre.get("masked"):
            mask = x[:, -1:]
            values = (x[:, :-1] - self.mean) / self.std
            return np.concatenate([values * mask, mask], axis=1).astype(np.float32)
        return ((x - self.mean) / self.std).astype(np.float32)


class _CellError(InputError):
    def __init__(self, column: str, message: str):
        super().__init__(column, message)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE or text in _FALSE:
            return 1.0 if text in _TRUE else 0.0
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _category_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _b64(value: Any, field: str) -> bytes:
    if not isinstance(value, str):
        raise InputError(field, "expected a base64 string of PNG or JPEG bytes")
    text = value.split(",", 1)[1] if value.startswith("data:") else value
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InputError(field, "not valid base64") from None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---- outputs ------------------------------------------------------------------------------------
def predictions(spec: dict[str, Any], out: np.ndarray) -> list[dict[str, Any]]:
    """The model's first output (batch first) as one prediction per sample."""
    kind = spec.get("output", "values")
    out = np.asarray(out, dtype=np.float64)
    if kind == "values":
        flat = out.reshape(out.shape[0], -1)
        return [
            {"value": float(row[0])} if row.size == 1 else {"values": row.tolist()} for row in flat
        ]
    probs = probabilities(kind, out.reshape(out.shape[0], -1))
    names = list(spec.get("class_names") or [])
    if len(names) != probs.shape[1]:
        names = [str(i) for i in range(probs.shape[1])]
    result = []
    for row in probs:
        best = int(row.argmax())
        result.append(
            {
                "label": names[best],
                "index": best,
                "probabilities": {n: float(p) for n, p in zip(names, row)},
            }
        )
    return result


def probabilities(kind: str, out: np.ndarray) -> np.ndarray:
    """Class probabilities (N, K) from the model's output; one column p becomes [1 - p, p]."""
    if kind == "log_probabilities":
        out = np.exp(out)
    elif kind == "softmax":
        shifted = np.exp(out - out.max(axis=1, keepdims=True))
        out = shifted / shifted.sum(axis=1, keepdims=True)
    elif kind == "sigmoid":
        out = 1.0 / (1.0 + np.exp(-out))
    if out.shape[1] == 1:
        out = np.concatenate([1.0 - out, out], axis=1)
    return out
