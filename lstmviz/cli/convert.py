"""`python -m lstmviz convert IN OUT --to pytorch|keras`: convert a model file's recurrent weights, with proof."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from lstmviz.convert import TARGETS, ConversionRefused


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


def run(args: argparse.Namespace) -> int:
    """Convert IN to OUT; prints the proof and the loading code. Returns 0, or 2 with one line on stderr."""
    # Imported here so `lstmviz count` and `code` start without h5py and safetensors.
    from lstmviz.convert_model import SUFFIX, convert_model
    from lstmviz.readers import RefusedFile, read_model, read_path

    source, target, to = Path(args.input), Path(args.output), args.to
    try:
        if target.suffix != SUFFIX[to]:
            raise ConversionRefused(f"converting to {to} writes a {SUFFIX[to]} file; OUT is {target.name}")
        if target.exists() and os.path.samefile(source, target):
            raise ConversionRefused("OUT is the input file; choose another name")
        if target.exists() and not target.is_file():
            # Writing into a FIFO with no reader would wait forever; a device or directory is no model file.
            raise ConversionRefused(f"OUT {target} exists and is not a regular file; choose another name")
        try:
            data = read_path(source)
        except RefusedFile as error:
            raise RefusedFile(f"{source}: {error}") from None
        model = read_model(data, source.name)
        converted = convert_model(model, to, out_name=str(target), module=args.module)
        target.write_bytes(converted.data)
    except (RefusedFile, ConversionRefused) as error:
        print(f"lstmviz: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # missing input, unwritable output
        print(f"lstmviz: error: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    for line in converted.notes:
        print(f"note: {line}")
    for line in converted.proof_lines:
        print(line)
    print(f"wrote {target} ({len(converted.data):,} bytes)\n")
    print(converted.code, end="")
    return 0
