"""Vectorised text building: identifiers, time stamps and phone formats as Arrow string arrays.

No Python loop runs per row. Fixed-width texts are assembled as a uint8 matrix (one row per value) and handed
to Arrow as the data buffer of a string array; variable texts are joined with pyarrow.compute.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .config import TZ_OFFSET_S

_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
_FW_LEAD = np.array([0xEF, 0xBC], dtype=np.uint8)  # full-width digit U+FF10.. = EF BC 90..99

Part = bytes | tuple  # bytes constant, ("d", ints, width), ("fw", ints, width), ("c", uint8 matrix)


def digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative ints as an (n, width) uint8 matrix of ASCII codes."""
    v = np.asarray(values, dtype=np.int64).copy()
    out = np.empty((len(v), width), dtype=np.uint8)
    for i in range(width - 1, -1, -1):
        out[:, i] = _DIGITS[v % 10]
        v //= 10
    return out


def fullwidth_matrix(values: np.ndarray, width: int) -> np.ndarray:
    d = digit_matrix(values, width) - ord("0")
    out = np.empty((len(d), width * 3), dtype=np.uint8)
    out[:, 0::3] = 0xEF
    out[:, 1::3] = 0xBC
    out[:, 2::3] = 0x90 + d
    return out


def build_fixed(n: int, parts: list) -> pa.Array:
    """Concatenate fixed-width parts into one string array of n values."""
    mats = []
    for p in parts:
        if isinstance(p, bytes | str):
            b = p.encode() if isinstance(p, str) else p
            mats.append(np.broadcast_to(np.frombuffer(b, dtype=np.uint8), (n, len(b))))
        elif p[0] == "d":
            mats.append(digit_matrix(p[1], p[2]))
        elif p[0] == "fw":
            mats.append(fullwidth_matrix(p[1], p[2]))
        elif p[0] == "c":
            mats.append(p[1])
        else:  # pragma: no cover - programming error
            raise ValueError(p)
    mat = np.ascontiguousarray(np.concatenate(mats, axis=1)) if mats else np.zeros((n, 0), np.uint8)
    return matrix_to_strings(mat)


def matrix_to_strings(mat: np.ndarray) -> pa.Array:
    n, w = mat.shape
    offsets = np.arange(0, (n + 1) * w, w, dtype=np.int32) if n else np.zeros(1, np.int32)
    if n * w >= 2**31:
        offsets = np.arange(0, (n + 1) * w, w, dtype=np.int64)
        return pa.Array.from_buffers(
            pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(mat.tobytes())]
        ).cast(pa.string())
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(mat.tobytes())])


def with_nulls(arr: pa.Array, valid: np.ndarray) -> pa.Array:
    """Set the values where valid is False to NULL."""
    valid = np.asarray(valid, dtype=bool)
    if valid.all():
        return arr
    return pc.if_else(pa.array(valid), arr, pa.scalar(None, arr.type))


def join(*parts) -> pa.Array:
    """Element-wise concatenation of string arrays / scalars (NULL if any part is NULL)."""
    return pc.binary_join_element_wise(*parts, "")


def take(values: list[str] | pa.Array, idx: np.ndarray) -> pa.Array:
    arr = values if isinstance(values, pa.Array) else pa.array(values, pa.string())
    return arr.take(pa.array(np.asarray(idx, dtype=np.int64)))


def scatter(n: int, pieces: list[tuple[np.ndarray, pa.Array]], typ: pa.DataType | None = None) -> pa.Array:
    """Assemble an array of n values from (row indices, values) pieces; rows not covered are NULL."""
    typ = typ or pa.string()
    idx = [np.asarray(i, dtype=np.int64) for i, _ in pieces]
    vals = [v for _, v in pieces]
    covered = np.concatenate(idx) if idx else np.zeros(0, np.int64)
    mask = np.ones(n, dtype=bool)
    mask[covered] = False
    rest = np.flatnonzero(mask)
    all_idx = np.concatenate([covered, rest])
    all_vals = pa.concat_arrays([v.cast(typ) for v in vals] + [pa.nulls(len(rest), typ)])
    inv = np.empty(n, dtype=np.int64)
    inv[all_idx] = np.arange(n)
    return all_vals.take(pa.array(inv))


# --- dates and times --------------------------------------------------------------------------------


def civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of day numbers (days since 1970-01-01)."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dd = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y, m, dd


def date_parts(days: np.ndarray, sep: bytes = b"-") -> list:
    y, m, d = civil(days)
    return [("d", y, 4), sep, ("d", m, 2), sep, ("d", d, 2)]


def time_parts(secs_of_day: np.ndarray) -> list:
    s = np.asarray(secs_of_day, dtype=np.int64)
    return [("d", s // 3600, 2), b":", ("d", (s // 60) % 60, 2), b":", ("d", s % 60, 2)]


def date_text(days: np.ndarray) -> pa.Array:
    days = np.asarray(days)
    return build_fixed(len(days), date_parts(days))


def yyyymmdd(days: np.ndarray) -> pa.Array:
    days = np.asarray(days)
    return build_fixed(len(days), date_parts(days, b""))


def ts_text(epoch_s: np.ndarray) -> pa.Array:
    """'YYYY-MM-DD HH:MM:SS' of epoch seconds taken as they are (caller applies any zone shift)."""
    s = np.asarray(epoch_s, dtype=np.int64)
    return build_fixed(len(s), date_parts(s // 86400) + [b" "] + time_parts(s % 86400))


def iso_local_text(epoch_utc_s: np.ndarray) -> pa.Array:
    """ISO-8601 with offset, Asia/Shanghai: '2025-03-01T10:00:00+08:00'."""
    s = np.asarray(epoch_utc_s, dtype=np.int64) + TZ_OFFSET_S
    return build_fixed(len(s), date_parts(s // 86400) + [b"T"] + time_parts(s % 86400) + [b"+08:00"])


def ts_array(epoch_s: np.ndarray) -> pa.Array:
    """Naive timestamp[us] from epoch seconds (no zone shift applied)."""
    return pa.array(np.asarray(epoch_s, dtype=np.int64) * 1_000_000, pa.int64()).cast(pa.timestamp("us"))


def date_array(days: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int32), pa.int32()).cast(pa.date32())


# --- hashing to stable pseudo-random identifiers ----------------------------------------------------


def splitmix64(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = np.asarray(x, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def hashed_chars(keys: np.ndarray, salt: int, width: int, alphabet: bytes) -> np.ndarray:
    """(n, width) matrix of characters drawn from alphabet by hashing (key, salt, position)."""
    keys = np.asarray(keys, dtype=np.uint64)
    alpha = np.frombuffer(alphabet, dtype=np.uint8)
    out = np.empty((len(keys), width), dtype=np.uint8)
    with np.errstate(over="ignore"):
        base = splitmix64(keys * np.uint64(1_000_003) + np.uint64(salt))
        for j in range(width):
            h = splitmix64(base + np.uint64(j))
            out[:, j] = alpha[(h % np.uint64(len(alpha))).astype(np.int64)]
    return out


B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
HEX = b"0123456789abcdef"
