"""The HDF5 container guard: every object walked and capped (datasets, chunks, declared against stored bytes)."""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from dataclasses import dataclass

import h5py
import numpy as np

from lstmviz.modelfiles.contents import MAX_OBJECTS, RefusedFile
from lstmviz.modelfiles.guards.arrays import finite_float32

# Keras's h5_utils guard (CVE-2026-1669): a dataset may not declare far more bytes than it stores.
# Keras uses a 4 GiB floor; ours is lower because our whole-file cap is lower.
H5_BOMB_FLOOR_BYTES = 1 << 20
H5_MAX_EXPANSION = 1000
# Reading a chunked dataset costs about 16 us per chunk even where nothing is stored, so a 200 kB
# file of 1x1 chunks takes a minute. h5py's own chunking of the largest dataset we accept gives a
# few hundred chunks; Keras writes contiguous datasets.
H5_MAX_CHUNKS = 20_000
# ... and per file: 175 datasets just under the per-dataset cap (5.3 million chunks) took 61 s.
H5_MAX_FILE_CHUNKS = 100_000
NUMERIC_KINDS = "fiub"


@dataclass(frozen=True)
class H5Tree:
    """Every dataset of an HDF5 file by path, checked, in the file's (name-sorted) order."""

    datasets: dict[str, h5py.Dataset]

    def params_under(self, prefix: str) -> int:
        """Scalars in every dataset whose path starts with `prefix`."""
        return sum(math.prod(ds.shape) for path, ds in self.datasets.items() if path.startswith(prefix))


def open_h5(data: bytes) -> h5py.File:
    """An HDF5 file parsed from bytes in memory (h5py reads a file object; nothing touches the disk)."""
    try:
        return h5py.File(io.BytesIO(data), "r")
    except (OSError, ValueError, RuntimeError, KeyError, TypeError) as error:
        raise RefusedFile(f"this is not a readable HDF5 file ({str(error)[:80]})") from None


def check_h5(file: h5py.File, max_params: int) -> H5Tree:
    """Walk every link once; refuse links out, external/virtual storage, shape bombs and non-numbers."""
    datasets: dict[str, h5py.Dataset] = {}
    declared = chunks = 0
    seen: set[int] = set()
    for path, obj in _walk(file, "", seen):
        if isinstance(obj, h5py.Dataset):
            declared += math.prod(obj.shape or ())
            if declared > max_params:
                raise RefusedFile(f"this file declares more than {max_params:,} parameters, the cap; refused")
            chunks += _check_dataset(path, obj)
            if chunks > H5_MAX_FILE_CHUNKS:
                raise RefusedFile(
                    f"this HDF5 file's datasets are cut into over {H5_MAX_FILE_CHUNKS:,} chunks (slow to read); refused"
                )
            datasets[path] = obj
    return H5Tree(datasets)


def _walk(group: h5py.Group, prefix: str, seen: set[int]) -> Iterator[tuple[str, h5py.Group | h5py.Dataset]]:
    key = hash(group.id)
    if key in seen:
        raise RefusedFile(f"HDF5 group {prefix or '/'!r} is linked twice (a cycle); refused")
    seen.add(key)
    if len(seen) > MAX_OBJECTS:
        raise RefusedFile(f"this HDF5 file has more than {MAX_OBJECTS:,} objects; refused")
    for name in group:
        path = f"{prefix}{name}"
        link = group.get(name, getlink=True)
        if isinstance(link, h5py.ExternalLink):
            raise RefusedFile(f"HDF5 object {path!r} is a link to another file ({link.filename!r}); refused")
        if isinstance(link, h5py.SoftLink):
            raise RefusedFile(f"HDF5 object {path!r} is a soft link ({link.path!r}); refused")
        if not isinstance(link, h5py.HardLink):
            raise RefusedFile(f"HDF5 object {path!r} is an unsupported kind of link; refused")
        obj = group.get(name)
        if isinstance(obj, h5py.Group):
            yield path, obj
            yield from _walk(obj, path + "/", seen)
        elif isinstance(obj, h5py.Dataset):
            # One dataset under a million names would be walked, checked and counted a million times.
            key = hash(obj.id)
            if key in seen:
                raise RefusedFile(f"HDF5 dataset {path!r} is linked twice; refused")
            seen.add(key)
            yield path, obj
        else:
            raise RefusedFile(f"HDF5 object {path!r} is neither a group nor a dataset; refused")


def _check_dataset(path: str, ds: h5py.Dataset) -> int:
    """Refuse what the reader will not read; the dataset's chunk count (0 when contiguous)."""
    chunks = 0
    if ds.external:
        raise RefusedFile(f"HDF5 dataset {path!r} keeps its data in another file; refused")
    if ds.is_virtual:
        raise RefusedFile(f"HDF5 dataset {path!r} is virtual (maps other files); refused")
    if ds.dtype.kind not in NUMERIC_KINDS or ds.dtype.itemsize > 8 or ds.shape is None:
        raise RefusedFile(f"HDF5 dataset {path!r} does not hold plain numbers ({ds.dtype}); refused")
    if ds.chunks is not None:
        chunks = math.prod(-(-size // chunk) for size, chunk in zip(ds.shape, ds.chunks, strict=False))
        if chunks > H5_MAX_CHUNKS:
            raise RefusedFile(
                f"HDF5 dataset {path!r} is cut into {chunks:,} chunks, over the {H5_MAX_CHUNKS:,} cap "
                f"(slow to read); refused"
            )
    declared = math.prod(ds.shape) * ds.dtype.itemsize
    stored = ds.id.get_storage_size()
    if declared > H5_BOMB_FLOOR_BYTES and declared > H5_MAX_EXPANSION * stored:
        raise RefusedFile(
            f"HDF5 dataset {path!r} declares {declared:,} bytes but stores {stored:,} (a shape bomb); refused"
        )
    return chunks


def read_array(ds: h5py.Dataset, where: str) -> np.ndarray:
    """A checked dataset's values as float32; refuses non-finite values and unreadable data."""
    try:
        values = np.asarray(ds[()])
    except (OSError, ValueError, RuntimeError, TypeError, KeyError) as error:
        raise RefusedFile(f"{where} cannot be read ({str(error)[:80]})") from None
    return finite_float32(values, where)


def h5_attr_text(obj: h5py.Group | h5py.File, name: str) -> str | None:
    """A string attribute (bytes decoded), or None when absent or not text."""
    try:
        value = obj.attrs.get(name)
    except (OSError, ValueError, RuntimeError, TypeError, KeyError):
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value if isinstance(value, str) else None


def h5_attr_names(obj: h5py.Group | h5py.File, name: str) -> list[str]:
    """A list-of-strings attribute such as layer_names or weight_names ([] when absent), at most MAX_OBJECTS."""
    try:
        # Sized before it is read: 5 MB of one-byte names became 5 million Python strings (90 MB).
        count = math.prod(obj.attrs.get_id(name).shape or ()) if name in obj.attrs else 0
    except (OSError, ValueError, RuntimeError, TypeError, KeyError):
        return []
    if count > MAX_OBJECTS:
        raise RefusedFile(f"the HDF5 attribute {name!r} lists {count:,} names, over the {MAX_OBJECTS:,} cap")
    try:
        value = obj.attrs.get(name)
    except (OSError, ValueError, RuntimeError, TypeError, KeyError):
        return []
    if value is None:
        return []
    items = value.tolist() if isinstance(value, np.ndarray) else [value]
    return [v.decode("utf-8", errors="replace") if isinstance(v, bytes) else str(v) for v in items]
