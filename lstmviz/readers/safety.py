"""Guards every reader goes through: zip members, HDF5 objects, JSON, sizes. Nothing here runs file code."""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import h5py
import numpy as np

from lstmviz.readers.model import MAX_FILE_BYTES, MAX_OBJECTS, RefusedFile

# A member that unpacks to more than this many times its packed size is a zip bomb, not a model
# (float weights compress about 1.1x; an all-zero config a few hundred x).
MAX_ZIP_RATIO = 200
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
# A Keras config of a thousand layers is about 3 MB; a safetensors header of 20,000 tensors about 3 MB.
MAX_JSON_BYTES = 8 * 1024 * 1024
MAX_JSON_CONTAINERS = 200_000  # brackets and braces, counted in the text (strings included: a safe overcount)


# A central-directory entry's name, extra field and comment: Keras writes names of a few bytes and
# no extras; zip64 and timestamp extras take under 40 bytes. zipfile copies each entry's extras
# more than once (975 entries of 65,532-byte extras took 68 s), so they are capped before it runs.
ZIP_MAX_NAME = 1024
ZIP_MAX_EXTRA = 1024
ZIP_MAX_COMMENT = 1024
_ZIP_ENTRY = 46  # the fixed part of a central-directory entry


def zip_member_count(data: bytes) -> int | None:
    """How many members a zip's central directory holds, walked here before zipfile; None: no end record.

    Refuses (RefusedFile) a directory of more than MAX_OBJECTS entries, entries with long names,
    extra fields or comments, and an end record whose count disagrees with the directory.
    """
    # zipfile parses every central-directory entry before anything can be checked: 300,000 empty
    # members (26 MB) took 25 s, and an end record may say 3 while the directory holds 1.12 million.
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or end + 22 > len(data):
        return None
    declared = int.from_bytes(data[end + 10 : end + 12], "little")
    size = int.from_bytes(data[end + 12 : end + 16], "little")
    directory_end = end
    locator = end - 20
    if locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":  # zip64: the counts live in its record
        record = locator - 56
        if record < 0 or data[record : record + 4] != b"PK\x06\x06":
            raise RefusedFile("this zip archive's zip64 end record is missing; refused")
        declared = int.from_bytes(data[record + 32 : record + 40], "little")
        size = int.from_bytes(data[record + 40 : record + 48], "little")
        directory_end = record
    start = directory_end - size
    if start < 0:
        raise RefusedFile("this zip archive's directory is larger than the file; refused")
    count, pos = 0, start
    while pos < directory_end:
        if data[pos : pos + 4] != b"PK\x01\x02" or pos + _ZIP_ENTRY > directory_end:
            raise RefusedFile("this zip archive's central directory is damaged; refused")
        count += 1
        if count > MAX_OBJECTS:
            raise RefusedFile(f"this zip archive has over {MAX_OBJECTS:,} members, the cap; refused")
        name, extra, comment = (int.from_bytes(data[pos + k : pos + k + 2], "little") for k in (28, 30, 32))
        if name > ZIP_MAX_NAME or extra > ZIP_MAX_EXTRA or comment > ZIP_MAX_COMMENT:
            raise RefusedFile(
                f"zip member {count:,} has a {name:,}-byte name, {extra:,}-byte extra field and "
                f"{comment:,}-byte comment (caps {ZIP_MAX_NAME:,} each); refused"
            )
        pos += _ZIP_ENTRY + name + extra + comment
    if count != declared and declared not in (0xFFFF, 0xFFFFFFFFFFFFFFFF):
        raise RefusedFile(f"this zip archive's end record says {declared:,} members but its directory holds {count:,}")
    return count


def read_zip(data: bytes, allowed: tuple[str, ...], what: str) -> dict[str, bytes]:
    """The members of a zip archive held in memory, after checking names, sizes and ratios."""
    declared = zip_member_count(data)
    if declared is not None and declared > MAX_OBJECTS:
        raise RefusedFile(f"this {what} has over {MAX_OBJECTS:,} members, the cap; refused")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise RefusedFile(f"this {what} is not a readable zip archive ({error})") from None
    if len(infos) > MAX_OBJECTS:
        raise RefusedFile(f"this {what} has {len(infos):,} members; expected only {', '.join(allowed)}")
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in name:
            raise RefusedFile(f"this {what} has a member with an unsafe path ({name!r}); refused")
        if name not in allowed:
            raise RefusedFile(f"this {what} has an unexpected member {name!r}; expected only {', '.join(allowed)}")
        if name in seen:
            raise RefusedFile(f"this {what} holds {name!r} twice; refused")
        seen.add(name)
        if info.flag_bits & 0x1:
            raise RefusedFile(f"this {what} is encrypted ({name!r}); refused")
        if info.file_size > MAX_FILE_BYTES:
            raise RefusedFile(f"{name!r} unpacks to {info.file_size:,} bytes, over the {MAX_FILE_BYTES:,}-byte cap")
        if info.file_size > H5_BOMB_FLOOR_BYTES and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise RefusedFile(
                f"{name!r} would unpack {info.file_size // max(info.compress_size, 1):,}x its packed size "
                f"(a zip bomb); refused"
            )
        total += info.file_size
        if total > MAX_FILE_BYTES:
            raise RefusedFile(f"this {what} unpacks to more than the {MAX_FILE_BYTES:,}-byte cap")
    members: dict[str, bytes] = {}
    for info in infos:
        try:
            with archive.open(info) as member:
                # zipfile stops at the declared size, so a lying header cannot make this read more.
                members[info.filename] = member.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as error:
            raise RefusedFile(f"{info.filename!r} in this {what} cannot be unpacked ({error})") from None
    return members


def parse_json(raw: bytes | str, what: str) -> Any:
    """Plain JSON (never objects, never code), size- and count-capped; refuses anything else with one line."""
    # Parsed JSON takes 12-21x its text in Python objects ("[]," is a 56-byte list per 3 bytes), so a
    # 64 MiB config.json stored unpacked in a .keras zip would take over a gigabyte. Capping the text
    # and the number of arrays and objects keeps a parse under about 100 MB.
    encoded = raw if isinstance(raw, bytes) else raw.encode("utf-8", errors="surrogatepass")
    if len(encoded) > MAX_JSON_BYTES:
        raise RefusedFile(f"{what} has {len(encoded):,} bytes of JSON, over the {MAX_JSON_BYTES:,}-byte cap; refused")
    containers = encoded.count(b"[") + encoded.count(b"{")
    if containers > MAX_JSON_CONTAINERS:
        raise RefusedFile(f"{what} has over {MAX_JSON_CONTAINERS:,} JSON arrays and objects; refused")
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise RefusedFile(f"{what} is not valid JSON ({str(error)[:80]})") from None


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


def finite_float32(values: np.ndarray, where: str) -> np.ndarray:
    """Real weights as float32; NaN or infinity is refused (the views and the forward pass need numbers)."""
    if values.dtype.kind != "f":
        raise RefusedFile(f"{where} holds {values.dtype} values, not floating-point weights; refused")
    out = np.asarray(values, dtype=np.float32)
    if not np.isfinite(out).all():
        raise RefusedFile(f"{where} contains NaN or infinity; refused")
    return out


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
