"""Command line: `python -m lstmviz count --features 3 --units 2` prints the count and why."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from lstmviz.cells import LAYER_CLASS
from lstmviz.counting import dense_params
from lstmviz.report import Report, build_report
from lstmviz.snippet import framework_code
from lstmviz.spec import CELLS, FRAMEWORKS, RecurrentSpec
from lstmviz.summary import keras_summary, tensor_table
from lstmviz.tables import GATES, LAYERS, TENSORS, gate_parts, json_rows


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One clear line, not argparse's usage block.
        self.exit(2, f"lstmviz: error: {message}\n")


def _spec_flags(parser: argparse.ArgumentParser) -> None:
    defaults = RecurrentSpec()
    parser.add_argument("--framework", choices=FRAMEWORKS, default=defaults.framework)
    parser.add_argument("--cell", choices=CELLS, default=defaults.cell)
    parser.add_argument("--features", type=int, default=defaults.features, help="input size x")
    parser.add_argument("--units", type=int, default=defaults.units, help="hidden size h")
    parser.add_argument("--timesteps", type=int, default=defaults.timesteps, help="sequence length T")
    parser.add_argument("--layers", type=int, default=defaults.layers, help="stacked layers")
    parser.add_argument("--bidirectional", action="store_true")
    parser.add_argument("--no-bias", dest="bias", action="store_false")
    parser.add_argument("--no-reset-after", dest="reset_after", action="store_false", help="Keras GRU")
    parser.add_argument("--proj-size", type=int, default=0, help="PyTorch LSTM projection size")
    parser.add_argument("--return-sequences", action="store_true", help="Keras: last layer returns (None, T, h)")


def build_parser() -> argparse.ArgumentParser:
    """The `lstmviz` argument parser with its subcommands."""
    parser = _Parser(prog="lstmviz", description="Exact parameter counts of recurrent layers.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    count = commands.add_parser("count", help="print the parameter count, tensors and formula")
    _spec_flags(count)
    count.add_argument("--json", action="store_true", help="print one JSON object")
    code = commands.add_parser("code", help="print runnable Keras or PyTorch code that asserts the count")
    _spec_flags(code)
    inspect = commands.add_parser("inspect", help="read a .keras, .h5, .safetensors or .onnx file and count it")
    inspect.add_argument("file", help="the model file (never executed: pickles are refused)")
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def spec_from_args(args: argparse.Namespace) -> RecurrentSpec:
    """The RecurrentSpec named by parsed flags (raises ValueError if invalid)."""
    return RecurrentSpec(**{name: getattr(args, name) for name in RecurrentSpec.field_names()})


def count_json(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready dict: total, tensors, layers and gates in framework order, shapes, cost."""
    spec, run_cost = report.spec, report.cost
    result: dict[str, Any] = {
        "spec": spec.as_dict(),
        "layer_class": LAYER_CLASS[(spec.framework, spec.cell)],
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
    if spec.framework == "keras":
        result["output_shape"] = result["outputs"]["output"]
    return result


def _count_text(report: Report) -> str:
    spec, f = report.spec, report.formula
    table = keras_summary(report.count) if spec.framework == "keras" else tensor_table(report.count)
    cls = LAYER_CLASS[(spec.framework, spec.cell)]
    return (
        f"{spec.framework} {cls}: {report.total:,} parameters (timesteps={spec.timesteps} does not change it)\n\n"
        f"{table}\n\nper layer and direction: {f.symbolic}\n{f.substituted}\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = build_parser().parse_args(argv)
    if args.command == "inspect":
        return _inspect(args.file, args.json)
    try:
        spec = spec_from_args(args)
    except ValueError as error:
        print(f"lstmviz: error: {error}", file=sys.stderr)
        return 2
    report = build_report(spec)
    if args.command == "code":
        print(framework_code(report), end="")
    elif args.json:
        print(json.dumps(count_json(report)))
    else:
        print(_count_text(report), end="")
    return 0


def _inspect(path: str, as_json: bool) -> int:
    """Read one model file and print its summary or JSON; exit 2 with one line on any refusal."""
    from lstmviz.inspection import model_json, summary_text
    from lstmviz.readers import MAX_FILE_BYTES, RefusedFile, read_model

    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        model = read_model(data, path)
    except (OSError, RefusedFile) as error:
        reason = error.strerror or str(error) if isinstance(error, OSError) else str(error)
        print(f"lstmviz: error: {path}: {reason}", file=sys.stderr)
        return 2
    print(json.dumps(model_json(model)) if as_json else summary_text(model, path), end="\n" if as_json else "")
    return 0
