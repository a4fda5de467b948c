# ruff: noqa: E402  (the repository root goes on sys.path before lstmviz is imported)
"""Behaviour snapshot for refactors: `python tools/behaviour_snapshot.py DIR` writes the CLI outputs
(count, count --json, code, inspect, convert) and pure results (figures as JSON, equations, weight and
forward hashes, compare, practice) over a fixed corpus, one file per case. Run it before and after a
refactor that must not change behaviour, then `diff -r` the two directories.
"""

import contextlib
import hashlib
import io
import itertools
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

OUT = Path(sys.argv[1])
OUT.mkdir(parents=True, exist_ok=True)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lstmviz
from lstmviz.spec import RecurrentSpec


def cli(argv: list[str]) -> str:
    from lstmviz import cli as c

    main = c.main
    o, e = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
        rc = main(argv)
    return f"rc={rc}\n--stdout--\n{o.getvalue()}--stderr--\n{e.getvalue()}"


def specs() -> Iterator[dict[str, Any]]:
    for fw, cell in itertools.product(("keras", "pytorch", "onnx"), ("lstm", "gru", "rnn")):
        for bi, bias, layers in itertools.product((False, True), (True, False), (1, 2)):
            base = dict(
                framework=fw, cell=cell, features=3, units=2, timesteps=5, layers=layers, bidirectional=bi, bias=bias
            )
            yield base
            if cell == "gru" and fw != "pytorch":
                yield {**base, "reset_after": False}
            if fw == "keras":
                yield {**base, "return_sequences": True}
            if fw == "pytorch" and cell == "lstm":
                yield {**base, "units": 4, "proj_size": 2}


def flags(d: dict[str, Any]) -> list[str]:
    a = [
        "--framework",
        d["framework"],
        "--cell",
        d["cell"],
        "--features",
        str(d["features"]),
        "--units",
        str(d["units"]),
        "--timesteps",
        str(d["timesteps"]),
        "--layers",
        str(d["layers"]),
    ]
    if d["bidirectional"]:
        a.append("--bidirectional")
    if not d["bias"]:
        a.append("--no-bias")
    if d.get("reset_after") is False:
        a.append("--no-reset-after")
    if d.get("proj_size"):
        a += ["--proj-size", str(d["proj_size"])]
    if d.get("return_sequences"):
        a.append("--return-sequences")
    return a


def h(a: Any) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()[:16] + str(np.asarray(a).shape)


def fig(f: Any) -> str:
    return f.to_json() if hasattr(f, "to_json") else str(f)


out = {}
all_specs = list(specs())
for d in all_specs:
    key = "_".join(f"{k}={v}" for k, v in d.items())
    a = flags(d)
    out[f"count/{key}"] = cli(["count", *a])
    out[f"countjson/{key}"] = cli(["count", *a, "--json"])
    out[f"code/{key}"] = cli(["code", *a])
# errors
for bad in (
    ["count", "--framework", "pytorch", "--no-reset-after"],
    ["count", "--proj-size", "3"],
    ["count", "--framework", "onnx", "--return-sequences"],
    ["count", "--framework", "tf"],
):
    out["err/" + " ".join(bad)] = cli(bad)

files = sorted(
    list(Path("lstmviz/examples").glob("*"))
    + [p for d in ("models", "real_layouts") for p in Path("tests/data", d).glob("*") if p.suffix != ".json"]
)
tmp = Path(tempfile.mkdtemp())
for f in files:
    out[f"inspect/{f}"] = cli(["inspect", str(f)])
    out[f"inspectjson/{f}"] = cli(["inspect", str(f), "--json"])
    for to, suf in (("pytorch", ".safetensors"), ("keras", ".keras")):
        target = tmp / f"out{suf}"
        if target.exists():
            target.unlink()
        text = cli(["convert", str(f), str(target), "--to", to]).replace(str(tmp), "TMP")
        data = "-"
        if target.exists():
            b = target.read_bytes()
            if suf == ".safetensors":  # the safetensors library orders __metadata__ by a hash map
                import struct

                n = struct.unpack("<Q", b[:8])[0]
                b = json.dumps(json.loads(b[8 : 8 + n]), sort_keys=True).encode() + b[8 + n :]
            else:  # a .keras zip: its members, without the save time (metadata.json, zip timestamps)
                import re
                import zipfile

                with zipfile.ZipFile(io.BytesIO(b)) as archive:
                    members = {i.filename: archive.read(i) for i in archive.infolist()}
                members["metadata.json"] = re.sub(rb'"date_saved": "[^"]*"', b"", members.get("metadata.json", b""))
                b = b"".join(k.encode() + v for k, v in sorted(members.items()))
            data = hashlib.sha256(b).hexdigest()
        out[f"convert/{f}/{to}"] = text + f"\nbytes-sha={data}"

# Pure functions over a smaller spec set
from lstmviz import compare, equations, export, practice, summary
from lstmviz import weights as W
from lstmviz.figures import cell_geometry, cell_plotly, cell_svg, counts, focus, heatmap
from lstmviz.inputs import sine_waves
from lstmviz.report import build_report

for d in all_specs:
    if d["layers"] == 2 and d["bidirectional"] is False:
        continue
    key = "_".join(f"{k}={v}" for k, v in d.items())
    spec = RecurrentSpec(**d)
    r = build_report(spec)
    res = []
    w = W.init_weights(spec, seed=1)
    res.append("weights " + json.dumps({k: h(v) for k, v in w.items()}))
    fw = lstmviz.forward(spec, w, sine_waves(1, spec.timesteps, spec.features))
    res.append("forward " + repr(sorted((str(k), h(v)) for k, v in vars(fw).items() if isinstance(v, np.ndarray))))
    res.append("forward-all " + repr(fw)[:0])
    lay = r.layers[-1]
    res.append("eqs " + repr(equations.cell_equations(lay)))
    try:
        res.append("keras_summary " + summary.keras_summary(r.count))
    except ValueError as e:
        res.append(f"keras_summary ERR {e}")
    res.append("tensor_table " + summary.tensor_table(r.count))
    res.append("formula " + repr(r.formula))
    res.append("outputs " + repr(r.outputs) + repr(r.cost))
    res.append("tree " + repr(r.count.tree()))
    res.append("slices " + repr([lay.slice_texts(g.symbol) for g in lay.gates]))
    res.append(
        "export "
        + export.to_markdown(export.tensor_rows(r))
        + export.to_csv(export.gate_rows(r))
        + export.formula_latex(r.formula)
    )
    res.append("fig-counts " + fig(counts.gate_counts_figure(lay)))
    hd = heatmap.heatmap_data(lay, {t.key: w[t.key] for t in lay.tensors})
    hm = heatmap.weight_heatmap(hd)
    res.append("fig-heat " + fig(hm))
    res.append("fig-focus " + fig(focus.focus_gate(hm, lay, 0)))
    res.append("fig-quiz " + fig(focus.quiz_heatmap(hm, lay, 0)))
    geo = cell_geometry.cell_geometry(lay, spec.timesteps)
    res.append("geo " + repr(geo))
    res.append("svg " + cell_svg.cell_svg(geo))
    res.append("fig-cell " + fig(cell_plotly.cell_figure(geo)))
    for mode in ("frameworks", "cells", "directions"):
        try:
            res.append(f"compare-{mode} " + repr(compare.compare(spec, mode)))
        except Exception as e:
            res.append(f"compare-{mode} ERR {e!r}")
    res.append("hint " + practice.count_hint(spec))
    out[f"pure/{key}"] = "\n".join(res)
for i in range(1, 80):
    out[f"practice/{i}"] = (
        repr(practice.quiz_question(i)) + repr(practice.shape_question(i)) + repr(practice.gate_question(i))
    )

for k, v in out.items():
    p = OUT / (hashlib.sha1(k.encode()).hexdigest()[:12] + ".txt")
    p.write_text(k + "\n" + v)
(OUT / "INDEX").write_text("\n".join(sorted(out)))
print(len(out), "snapshots")
