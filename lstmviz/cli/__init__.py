"""Command line: `python -m lstmviz count --features 3 --units 2` prints the count and why."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from lstmviz.cli import convert as convert_command
from lstmviz.cli.zoo import KernelFlag, ZooCount, layer_from_args, layers_text, spec_layer_path, zoo_json, zoo_text
from lstmviz.counting import dense_params
from lstmviz.report import Report, build_report
from lstmviz.snippet import framework_code
from lstmviz.spec import CELLS, FRAMEWORKS, RecurrentSpec, convention_of
from lstmviz.summary import keras_summary, tensor_table
from lstmviz.tables import GATES, LAYERS, TENSORS, gate_parts, json_rows
from lstmviz.urlvalues import parse_whole, shown
from lstmviz.zoo.snippet import zoo_code

if TYPE_CHECKING:
    from _typeshed import SupportsWrite


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # No abbreviations: `--layer` must never be read as `--layers`, nor `--feat` as `--features`.
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        # One clear line, not argparse's usage block; a pasted 100 kB value is quoted by its start.
        message = re.sub(r"'([^'\n]{24})[^']*'", r"'\1…'", message).replace("\n", " ")
        self.exit(2, f"lstmviz: error: {message}\n")

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        # argparse swallows write errors here; let main() report them like any other output's.
        if message:
            (file or sys.stderr).write(message)


MAX_FLAG = 10**18  # far above every bound; the spec names the real one


def _whole(text: str) -> int:
    """A flag's whole number, read as the URL reads it: ASCII digits only (no 1_000, １２ or 1e3)."""
    number = parse_whole(text)
    if number is None:
        raise argparse.ArgumentTypeError(f"not a whole number in digits 0-9: {shown(text)!r}")
    if number > MAX_FLAG:
        raise argparse.ArgumentTypeError(f"far too large: {shown(text)!r}")
    return number


def _kernel_size(text: str) -> KernelFlag:
    """`3` (every axis), or one side per axis: `3,3`, `3x3`, `(3, 3)`, `3,` (a 1-D kernel)."""
    inner = text.strip().strip("()[]").strip()
    parts = re.split(r"\s*[,x×]\s*|\s+", inner)
    per_axis = len(parts) > 1
    if per_axis and parts[-1] == "":  # "3," is the 1-tuple (3,), as Python writes it
        parts = parts[:-1]
    sides = tuple(_whole(side) for side in parts)
    if not 1 <= len(sides) <= 3:
        raise argparse.ArgumentTypeError(f"one to three sides, such as 3 or 3,3: {shown(text)!r}")
    return KernelFlag(sides, per_axis)


def _spec_flags(parser: argparse.ArgumentParser) -> None:
    defaults = RecurrentSpec()
    parser.add_argument(
        "--layer",
        metavar="CLASS",
        help="the framework's class path, e.g. keras.layers.ConvLSTM2D, torch.nn.GRUCell, flax.linen.LSTMCell, "
        "tf.compat.v1.nn.rnn_cell.LSTMCell (case-insensitive; `lstmviz layers` lists them)",
    )
    parser.add_argument("--framework", choices=FRAMEWORKS, default=None, help=f"default {defaults.framework}")
    parser.add_argument("--cell", choices=CELLS, default=None, help=f"default {defaults.cell}")
    parser.add_argument(
        "--kernel-size", type=_kernel_size, default=None, help="ConvLSTM: K on every axis, or per axis K,K (1-D: K,)"
    )
    parser.add_argument("--use-peepholes", action="store_true", default=None, help="TF1 LSTMCell")
    parser.add_argument(
        "--num-proj", type=_whole, default=None, help="TF1 LSTMCell projection (torch.nn.LSTM: proj_size)"
    )
    parser.add_argument("--no-reset-gate", dest="reset_gate", action="store_false", default=None, help="Flax MGUCell")
    parser.add_argument("--features", type=_whole, default=defaults.features, help="input size x")
    parser.add_argument("--units", type=_whole, default=defaults.units, help="hidden size h")
    parser.add_argument("--timesteps", type=_whole, default=defaults.timesteps, help="sequence length T")
    parser.add_argument("--layers", type=_whole, default=None, help=f"stacked layers (default {defaults.layers})")
    parser.add_argument("--bidirectional", action="store_true", default=None)
    parser.add_argument("--no-bias", dest="bias", action="store_false", default=None)
    parser.add_argument("--no-reset-after", dest="reset_after", action="store_false", default=None, help="Keras GRU")
    parser.add_argument("--proj-size", type=_whole, default=None, help="PyTorch LSTM projection size")
    parser.add_argument(
        "--return-sequences", action="store_true", default=None, help="Keras: last layer returns (None, T, h)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The `lstmviz` argument parser with its subcommands."""
    parser = _Parser(prog="lstmviz", description="Exact parameter counts of recurrent layers.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    count = commands.add_parser("count", help="print the parameter count, tensors and formula")
    _spec_flags(count)
    count.add_argument("--json", action="store_true", help="print one JSON object")
    code = commands.add_parser("code", help="print runnable code that builds the layer and asserts the count")
    _spec_flags(code)
    commands.add_parser("layers", help="list every layer class lstmviz counts, by framework")
    convert_command.add_parser(commands)
    inspect = commands.add_parser("inspect", help="read a .keras, .h5, .safetensors or .onnx file and count it")
    inspect.add_argument("file", help="the model file (read as data, never executed)")
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def spec_from_args(args: argparse.Namespace) -> RecurrentSpec:
    """The RecurrentSpec named by parsed flags (raises ValueError if invalid); unset flags keep the defaults."""
    given = {name: getattr(args, name, None) for name in RecurrentSpec.field_names()}
    return RecurrentSpec(**{name: value for name, value in given.items() if value is not None})


def count_json(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready dict: total, tensors, layers and gates in framework order, shapes, cost."""
    spec, run_cost = report.spec, report.cost
    result: dict[str, Any] = {
        "layer": spec_layer_path(spec),
        "spec": spec.as_dict(),
        "layer_class": convention_of(spec).class_label,
        "total_params": report.total,
        "formula": report.formula.substituted,
        "tensors": json_rows(TENSORS, report.tensors),
        "layers": json_rows(LAYERS, report.layers),
        "gates": json_rows(GATES, gate_parts(report.layers)),
        "outputs": report.outputs.as_dict(),
        "cost": {
            "multiply_adds_per_step": run_cost.multiply_adds_per_step,
            "multiply_adds_per_sequence": run_cost.multiply_adds_per_sequence,
            "activations_per_sequence": run_cost.activations_per_sequence,
            "activation_bytes_float32": run_cost.activation_bytes_float32,
        },
        "dense_warmup": {"inputs": 3, "hidden": 5, "outputs": 2, "total_params": dense_params().total},
    }
    if convention_of(spec).framework.model_summary:  # Keras's model.output_shape
        result["output_shape"] = result["outputs"]["output"]
    return result


def _count_text(report: Report) -> str:
    spec, f = report.spec, report.formula
    record = convention_of(spec)
    table = keras_summary(report.count) if record.framework.model_summary else tensor_table(report.count)
    cls = record.class_label
    return (
        f"{spec.framework} {cls}: {report.total:,} parameters (timesteps={spec.timesteps} does not change it)\n\n"
        f"{table}\n\nper layer and direction: {f.symbolic}\n{f.substituted}\n"
    )


# A reader that closes the pipe early (`| head -c 1`) ends the command as SIGPIPE ends POSIX
# tools: quietly, with status 128 + 13.
EXIT_CLOSED_PIPE = 141
EXIT_WRITE_ERROR = 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    try:
        try:
            code = _run(argv)
        except SystemExit as done:  # argparse after --help or a bad flag: its output must be flushed too
            code = done.code if isinstance(done.code, int) else int(done.code is not None)
        sys.stdout.flush()  # a pipe or file is block-buffered: write errors surface here, not at exit
        return code
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_CLOSED_PIPE
    except OSError as error:
        _discard_stdout()
        print(f"lstmviz: error: cannot write the output: {error.strerror or error}", file=sys.stderr)
        return EXIT_WRITE_ERROR


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "convert":
        return convert_command.run(args)
    if args.command == "inspect":
        return _inspect(args.file, args.json)
    if args.command == "layers":
        sys.stdout.write(layers_text())
        return 0
    try:
        chosen = layer_from_args(args)
        if isinstance(chosen, ZooCount):
            return _zoo(args, chosen)
        spec = chosen
    except ValueError as error:
        print(f"lstmviz: error: {error}", file=sys.stderr)
        return 2
    report = build_report(spec)
    if args.command == "code":
        sys.stdout.write(framework_code(report))
    else:
        sys.stdout.write(json.dumps(count_json(report)) + "\n" if args.json else _count_text(report))
    return 0


def _zoo(args: argparse.Namespace, count: ZooCount) -> int:
    """Print a zoo layer's count (text or JSON) or the code that builds it and asserts the count."""
    if args.command == "code":
        sys.stdout.write(zoo_code(count))
    else:
        sys.stdout.write(json.dumps(zoo_json(count)) + "\n" if args.json else zoo_text(count))
    return 0


def _inspect(path: str, as_json: bool) -> int:
    """Read one model file and print its summary or JSON; exit 2 with one line on any refusal."""
    from lstmviz.modelfiles import RefusedFile, read_path
    from lstmviz.modelfiles.inspection import model_json, summary_text
    from lstmviz.modelfiles.worker import read_model_bounded

    try:
        model = read_model_bounded(read_path(path), path)
    except RefusedFile as error:
        print(f"lstmviz: error: {path}: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(model_json(model)) + "\n" if as_json else summary_text(model, path))
    return 0


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's flush at exit cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file descriptor (e.g. captured in tests): nothing to flush later
        pass
