"""The zip container guard: the central directory walked before zipfile; members capped by count, size and ratio."""

from __future__ import annotations

import io
import zipfile

from lstmviz.modelfiles.contents import MAX_FILE_BYTES, MAX_OBJECTS, RefusedFile
from lstmviz.modelfiles.guards.hdf5 import H5_BOMB_FLOOR_BYTES

# A member that unpacks to more than this many times its packed size is a zip bomb, not a model
# (float weights compress about 1.1x; an all-zero config a few hundred x).
MAX_ZIP_RATIO = 200
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
