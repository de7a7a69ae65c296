"""Vectorised column helpers for the generator: numpy draws in, Arrow string columns out.

Strings are assembled with Arrow compute kernels (C++, no Python loop per row), so a million
customers cost seconds, not minutes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Seconds in a day: generated times are int seconds since the epoch until written out.
DAY = 86_400


def pick(choices: Sequence[str], index: IntArray) -> pa.Array:
    """``choices[index]`` for every element, as an Arrow string array."""
    return pa.array(np.asarray(choices, dtype=object)[index], type=pa.string())


def text(values: IntArray, width: int = 0) -> pa.Array:
    """Integers as decimal strings, zero-padded to ``width``."""
    strings = pc.cast(pa.array(values, type=pa.int64()), pa.string())
    return pc.utf8_lpad(strings, width, padding="0") if width else strings


def concat(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string arrays and constant strings (null if any is)."""
    arrays: list[pa.Array | pa.Scalar] = [
        pa.scalar(part, pa.string()) if isinstance(part, str) else part for part in parts]
    return pc.binary_join_element_wise(*arrays, "")


def slice_text(values: pa.Array, start: int, stop: int) -> pa.Array:
    """``values[start:stop]`` for every string."""
    return pc.utf8_slice_codeunits(values, start, stop)


def choose(codes: IntArray, options: Sequence[pa.Array]) -> pa.Array:
    """``options[codes[i]][i]`` for every row: a vectorised CASE over variant codes."""
    result = options[0]
    for code, option in enumerate(options[1:], start=1):
        result = pc.if_else(pa.array(codes == code), option, result)
    return result


def mask(values: pa.Array, keep: BoolArray) -> pa.Array:
    """``values`` where ``keep``, null elsewhere."""
    return pc.if_else(pa.array(keep), values, pa.nulls(len(values), values.type))


def timestamps(seconds: IntArray) -> pa.Array:
    """Seconds since the epoch as an Arrow timestamp (UTC, second precision)."""
    return pa.array(seconds.astype("datetime64[s]"), type=pa.timestamp("s"))


def weighted(rng: np.random.Generator, weights: Sequence[float], size: int) -> IntArray:
    """``size`` indexes drawn with the given relative weights."""
    p = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(p), size=size, p=p / p.sum()).astype(np.int64)


def uniform_between(rng: np.random.Generator, low: IntArray, high: IntArray) -> IntArray:
    """One integer per row drawn uniformly from ``[low, high]`` (``high >= low``)."""
    span = np.maximum(high - low, 0).astype(np.float64)
    offset: IntArray = np.floor(rng.random(len(low)) * (span + 1)).astype(np.int64)
    return low + offset
