"""safetensors reading and writing for the Python tools (numpy only; no safetensors package).

The format: an 8-byte little-endian unsigned header length N, then N bytes of UTF-8 JSON, then the
raw little-endian tensor bytes. The JSON maps each tensor name to
{"dtype": ..., "shape": [...], "data_offsets": [begin, end]} (offsets into the bytes after the
header) and may hold "__metadata__", an object of string -> string.

Scripts import it by putting this folder on the path:

    sys.path.insert(0, os.path.join(<the tools folder>, "common"))
    from safetensors_io import read_safetensors, write_safetensors

Writing: `write_safetensors(path, tensors, metadata)` with `tensors` either a mapping
name -> array or a sequence of (name, array) or (name, dtype, array) entries, written in that
order. With an explicit dtype ("F32", "F64", "I64", ...) the array is converted to it; without one
the dtype follows the array's. The header is compact JSON (ASCII), `__metadata__` first when
given, padded with spaces to a multiple of 8 bytes, so the data starts 8-byte aligned. The file
is written to a temporary name and renamed, so a reader never sees half a file.

Reading: `read_safetensors(path)` returns (tensors, metadata): name -> numpy array in header
order, and the metadata ({} if absent). `load(path, strict=...)` returns the same plus each
tensor's dtype name. Every read checks the container: the header fits in the file, each dtype is
known, each byte range matches its shape, and the ranges cover the data exactly with no gap or
overlap. `strict=True` also requires what this writer always produces: a header length that is a
multiple of 8, a `__metadata__` object, and the data in header order.
"""

import json
import os
import struct
from collections import namedtuple

import numpy as np

# safetensors dtype name -> little-endian numpy dtype. BF16 has no numpy type: it is read as
# float32 (its 16 bits are the high half of a float32) and cannot be written.
DTYPES = {
    "F64": "<f8", "F32": "<f4", "F16": "<f2",
    "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1",
    "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1",
    "BOOL": "?",
}
_ITEMSIZE = {name: np.dtype(dt).itemsize for name, dt in DTYPES.items()}
_ITEMSIZE["BF16"] = 2

Loaded = namedtuple("Loaded", "metadata tensors dtypes")


def dtype_name(array):
    """The safetensors dtype name of a numpy array's dtype."""
    little = array.dtype.newbyteorder("<")
    for name, dt in DTYPES.items():
        if little == np.dtype(dt):
            return name
    raise ValueError("no safetensors dtype for numpy dtype %s" % array.dtype)


def _entries(tensors):
    items = tensors.items() if hasattr(tensors, "items") else tensors
    for item in items:
        if len(item) == 2:
            name, array = item
            array = np.asarray(array)
            yield name, dtype_name(array), array
        else:
            name, dt, array = item
            if dt not in DTYPES:
                raise ValueError("%s: cannot write dtype %s" % (name, dt))
            yield name, dt, array


def to_bytes(tensors, metadata=None):
    """The whole file as bytes (see the module notes for `tensors`)."""
    header = {}
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise ValueError("metadata keys and values must be strings")
        header["__metadata__"] = dict(metadata)
    blobs = []
    offset = 0
    for name, dt, array in _entries(tensors):
        if name == "__metadata__" or name in header:
            raise ValueError("tensor name %r is reserved or repeated" % name)
        data = np.ascontiguousarray(array, dtype=DTYPES[dt]).tobytes(order="C")
        header[name] = {"dtype": dt, "shape": [int(s) for s in np.shape(array)],
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("utf-8")
    text += b" " * ((-len(text)) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def write_safetensors(path, tensors, metadata=None):
    """Writes the file atomically (temporary file, then rename)."""
    path = os.fspath(path)
    data = to_bytes(tensors, metadata)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def parse(raw, strict=False):
    """Parses the bytes of a file; see `load`."""
    if len(raw) < 8:
        raise ValueError("file too short")
    (n,) = struct.unpack("<Q", raw[:8])
    if strict and n % 8 != 0:
        raise ValueError("header length %d is not a multiple of 8" % n)
    if 8 + n > len(raw):
        raise ValueError("header runs past end of file")
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    if not isinstance(header, dict):
        raise ValueError("header is not a JSON object")
    body = raw[8 + n:]
    metadata = header.pop("__metadata__", None)
    if metadata is None:
        if strict:
            raise ValueError("no __metadata__")
        metadata = {}
    if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise ValueError("__metadata__ is not an object of strings")
    tensors, dtypes, ranges = {}, {}, []
    for name, info in header.items():
        dt = info["dtype"]
        if dt not in _ITEMSIZE:
            raise ValueError("%s: unsupported dtype %s" % (name, dt))
        shape = [int(s) for s in info["shape"]]
        if any(s < 0 for s in shape):
            raise ValueError("%s: negative dimension in %s" % (name, shape))
        b, e = (int(o) for o in info["data_offsets"])
        if e - b != _ITEMSIZE[dt] * int(np.prod(shape, dtype=np.int64)):
            raise ValueError("%s: byte length %d does not match shape %s" % (name, e - b, shape))
        if b < 0 or e > len(body):
            raise ValueError("%s: bytes [%d, %d) outside the data" % (name, b, e))
        ranges.append((b, e, name))
        if dt == "BF16":
            bits = np.frombuffer(body[b:e], dtype="<u2").astype(np.uint32) << 16
            array = bits.view(np.float32)
        else:
            array = np.frombuffer(body[b:e], dtype=DTYPES[dt]).copy()
        tensors[name] = array.reshape(shape)
        dtypes[name] = dt
    expect = 0
    for b, e, name in (ranges if strict else sorted(ranges)):
        if b != expect:
            raise ValueError("%s: gap or overlap at offset %d (expected %d)" % (name, b, expect))
        expect = e
    if expect != len(body):
        raise ValueError("%d bytes after the last tensor" % (len(body) - expect))
    return Loaded(metadata, tensors, dtypes)


def load(path, strict=False):
    """Returns Loaded(metadata, tensors, dtypes): metadata ({} if absent), name -> numpy array (a
    writable copy, in header order), name -> dtype name."""
    with open(path, "rb") as f:
        return parse(f.read(), strict)


def read_safetensors(path):
    """Returns (tensors, metadata): name -> numpy array in header order, and the metadata."""
    loaded = load(path)
    return loaded.tensors, loaded.metadata
