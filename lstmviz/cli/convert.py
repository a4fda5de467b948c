"""`python -m lstmviz convert IN OUT --to pytorch|keras`: convert a model file's recurrent weights, with proof."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from lstmviz.modelfiles.convert import TARGETS, ConversionRefused


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Register the `convert` subcommand."""
    parser = commands.add_parser(
        "convert",
        help="convert recurrent weights between Keras and PyTorch, and prove the outputs agree",
        description="Keras (.keras, .h5, .weights.h5) -> PyTorch .safetensors, or PyTorch .safetensors -> .keras.",
    )
    parser.add_argument("input", metavar="IN", help="the model file to read")
    parser.add_argument("output", metavar="OUT", help="the file to write (.safetensors or .keras)")
    parser.add_argument("--to", required=True, choices=TARGETS, help="the framework to convert to")
    parser.add_argument("--module", metavar="NAME", help="convert only this recurrent layer or module")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists (never through a symlink)")
    parser.add_argument(
        "--nonlinearity",
        choices=("tanh", "relu"),
        default="tanh",
        help="nn.RNN's nonlinearity, which a state dict does not record (relu is refused)",
    )


def run(args: argparse.Namespace) -> int:
    """Convert IN to OUT; prints the proof and the loading code. Returns 0, or 2 with one line on stderr."""
    # Imported here so `lstmviz count` and `code` start without h5py and safetensors.
    from lstmviz.modelfiles import RefusedFile, read_path
    from lstmviz.modelfiles.convert_file import SUFFIX
    from lstmviz.modelfiles.worker import convert_model_bounded

    source, target, to = Path(args.input), Path(args.output), args.to
    try:
        if target.suffix != SUFFIX[to]:
            raise ConversionRefused(f"converting to {to} writes a {SUFFIX[to]} file; OUT is {target.name}")
        _check_out(source, target, args.force)
        try:
            data = read_path(source)
        except RefusedFile as error:
            raise RefusedFile(f"{source}: {error}") from None
        converted = convert_model_bounded(data, source.name, to, str(target), args.module, args.nonlinearity)
        write_atomic(target, converted.data, force=args.force)
    except (RefusedFile, ConversionRefused) as error:
        print(f"lstmviz: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # missing input, unwritable output, a full disk
        print(f"lstmviz: error: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    for line in converted.assumptions:
        print(f"assumed: {line}")
    for line in converted.notes:
        print(f"note: {line}")
    for line in converted.proof_lines:
        print(line)
    print(f"wrote {target} ({len(converted.data):,} bytes)\n")
    print(converted.code, end="")
    return 0


def _check_out(source: Path, target: Path, force: bool) -> None:
    """Refuse an OUT that is a symlink, the input, not a regular file, or (without --force) any existing file."""
    if target.is_symlink():
        raise ConversionRefused(f"OUT {target} is a symbolic link; lstmviz never writes through one")
    if not target.exists():
        return
    if os.path.samefile(source, target):
        raise ConversionRefused("OUT is the input file; choose another name")
    if not target.is_file():
        # Writing into a FIFO with no reader would wait forever; a device or directory is no model file.
        raise ConversionRefused(f"OUT {target} exists and is not a regular file; choose another name")
    if not force:
        raise ConversionRefused(f"OUT {target} exists; pass --force to replace it")


def write_atomic(target: Path, data: bytes, *, force: bool) -> None:
    """Write `data` to a new file beside `target`, fsync it, then rename it over `target` in one step.

    A full disk or a crash leaves `target` as it was (the partial temporary file is removed); a
    symlink at `target` is refused, never followed, and is replaced only by os.replace's rename.
    """
    directory = target.parent if str(target.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o666 & ~_umask())
        # Checked again just before the rename: OUT may have appeared since the first check.
        if target.is_symlink():
            raise ConversionRefused(f"OUT {target} is a symbolic link; lstmviz never writes through one")
        if target.exists() and not force:
            raise ConversionRefused(f"OUT {target} exists; pass --force to replace it")
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):  # the rename itself reaches the disk with the directory's entry
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
