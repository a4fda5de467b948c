"""Hostile files (tools/make_hostile_files.py) and mutated valid files: one clean refusal or a correct read.

Never a traceback, never another exception type, never a file created by unpickling.
"""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lstmviz
from lstmviz import cli
from lstmviz.modelfiles import ModelFile, RefusedFile, read_model
from tools import make_hostile_files

ROOT = Path(__file__).resolve().parent.parent

MARKER_NAME = "pickle-was-executed"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[make_hostile_files.Hostile]]:
    where = tmp_path_factory.mktemp("hostile")
    return where / MARKER_NAME, make_hostile_files.corpus(where / MARKER_NAME)


def test_every_hostile_file_is_refused_with_its_reason(
    corpus: tuple[Path, list[make_hostile_files.Hostile]],
) -> None:
    marker, cases = corpus
    assert len(cases) >= 21
    for case in cases:
        with pytest.raises(RefusedFile) as refusal:
            read_model(case.data, case.name)
        message = str(refusal.value)
        assert case.refusal.lower() in message.lower(), (case.name, message)
        assert "\n" not in message and len(message) < 300, case.name
    assert not marker.exists(), "a pickle was executed"


def test_cli_refuses_hostile_files_with_exit_2(
    corpus: tuple[Path, list[make_hostile_files.Hostile]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker, cases = corpus
    for case in cases:
        if case.name == "zip_bomb.keras":
            continue  # same rule as ratio_bomb; spares writing a megabyte
        path = tmp_path / case.name
        path.write_bytes(case.data)
        assert cli.main(["inspect", str(path), "--json"]) == 2, case.name
        captured = capsys.readouterr()
        assert captured.out == "" and captured.err.count("\n") == 1, case.name
    assert not marker.exists()


def _odd_path(kind: str, tmp_path: Path) -> str:
    """A path that is not a readable regular file: what `inspect` and `convert` may be handed."""
    import os

    if kind == "fifo":
        fifo = tmp_path / "pipe.keras"
        os.mkfifo(fifo)  # no writer: opening it for reading would block forever
        return str(fifo)
    if kind == "unreadable":
        locked = tmp_path / "locked.keras"
        locked.write_bytes(b"PK")
        locked.chmod(0)
        if os.access(locked, os.R_OK):  # root reads anything: make the open fail another way
            return str(tmp_path / "missing" / "locked.keras")
        return str(locked)
    return {"directory": str(tmp_path), "missing": str(tmp_path / "absent.keras"), "dev_zero": "/dev/zero"}[kind]


ODD_PATHS = ("fifo", "dev_zero", "directory", "missing", "unreadable")


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="POSIX paths (FIFO, /dev/zero)")
@pytest.mark.parametrize("command", ["inspect", "convert"])
@pytest.mark.parametrize("kind", ODD_PATHS)
def test_odd_paths_are_refused_in_one_line_without_hanging(command: str, kind: str, tmp_path: Path) -> None:
    # A subprocess with a timeout: a FIFO or /dev/zero used to hang `inspect` / fill memory in `convert`.
    import subprocess
    import sys

    path = _odd_path(kind, tmp_path)
    out = str(tmp_path / "out.keras")
    args = ["inspect", path] if command == "inspect" else ["convert", path, out, "--to", "keras"]
    done = subprocess.run(
        [sys.executable, "-m", "lstmviz", *args], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and done.stderr.count("\n") == 1 and done.stderr.startswith("lstmviz: error:"), done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="POSIX FIFO")
def test_convert_refuses_to_write_into_a_fifo(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    out = tmp_path / "out.safetensors"
    os.mkfifo(out)  # no reader: writing would block forever
    source = ROOT / "lstmviz" / "examples" / "keras_sine_lstm.keras"
    done = subprocess.run(
        [sys.executable, "-m", "lstmviz", "convert", str(source), str(out), "--to", "pytorch"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "not a regular file" in done.stderr


def test_the_zip_bomb_really_unpacks_to_a_gibibyte(corpus: tuple[Path, list[make_hostile_files.Hostile]]) -> None:
    # The corpus is honest: the bomb's stream inflates to what its header declares (checked in 16 MiB
    # steps, so the test itself never holds the gibibyte).
    import io
    import zipfile

    bomb = next(c for c in corpus[1] if c.name == "zip_bomb.keras")
    assert len(bomb.data) < 2 << 20
    with zipfile.ZipFile(io.BytesIO(bomb.data)) as archive, archive.open("config.json") as member:
        total = 0
        while chunk := member.read(1 << 24):
            total += len(chunk)
    assert total == 1 << 30


# --- mutations of valid files -----------------------------------------------------------------------

VALID = {
    name: next(ROOT.glob(f"*/**/{name}")).read_bytes()
    for name in (
        "keras_stacked_bidirectional.keras",
        "keras_gru_both.h5",
        "keras_rnn_nobias.weights.h5",
        "torch_encoder_proj.safetensors",
        "onnx_bigru.onnx",
    )
}


def _assert_sound(model: ModelFile) -> None:
    """A read that succeeded is internally consistent and usable by the core."""
    assert model.total_params >= 0
    for layer in model.layers:
        expected = {t.key: t.shape for t in lstmviz.weight_tensors(layer.spec)}
        assert {k: v.shape for k, v in layer.weights.items()} == expected
        assert all(np.isfinite(v).all() for v in layer.weights.values())
        assert layer.params == lstmviz.count_params(layer.spec)
    assert all(params >= 0 for _, params in model.other_layers)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(VALID)))
    data = bytearray(VALID[name])
    how = draw(st.sampled_from(["truncate", "flip", "header"]))
    if how == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif how == "flip":
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] ^= 1 << draw(st.integers(0, 7))
    else:
        # Headers and directories live at the start (HDF5 superblock, safetensors JSON) and the end (zip).
        span = min(len(data), 512)
        at = draw(st.one_of(st.integers(0, span - 1), st.integers(len(data) - span, len(data) - 1)))
        data[at] = draw(st.integers(0, 255))
    return name, bytes(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_files_are_refused_cleanly_or_read_correctly(case: tuple[str, bytes]) -> None:
    name, data = case
    try:
        model = read_model(data, name)
    except RefusedFile as refusal:
        message = str(refusal)
        assert message and "\n" not in message and "Traceback" not in message
        return
    _assert_sound(model)
    assert math.isfinite(model.total_params)


# --- torch.save files: lstmviz's own pickle interpreter -----------------------------------------------

VALID_PTH = ROOT / "tests" / "data" / "real_layouts" / "torch_checkpoint.pth"


def _pickle_span(data: bytes) -> tuple[int, int]:
    """Where data.pkl's bytes sit inside the (stored, uncompressed) zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = next(i for i in archive.infolist() if i.filename.endswith("data.pkl"))
    # The local header's own name and extra-field lengths (torch pads the extra field for alignment).
    names, extra = (
        int.from_bytes(data[info.header_offset + i : info.header_offset + i + 2], "little") for i in (26, 28)
    )
    start = info.header_offset + 30 + names + extra
    return start, start + info.file_size


@st.composite
def mutated_pth(draw: st.DrawFn) -> bytes:
    data = bytearray(VALID_PTH.read_bytes())
    start, stop = _pickle_span(bytes(data))
    for _ in range(draw(st.integers(1, 6))):
        # Mostly inside data.pkl (opcodes, lengths, keys, sizes), sometimes anywhere (storages, directory).
        at = draw(st.one_of(st.integers(start, stop - 1), st.integers(0, len(data) - 1)))
        data[at] = draw(st.integers(0, 255))
    return bytes(data)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_pth())
def test_mutated_pth_is_refused_cleanly_or_read_correctly(data: bytes) -> None:
    try:
        model = read_model(data, "checkpoint.pth")
    except RefusedFile as refusal:
        message = str(refusal)
        assert message and "\n" not in message and len(message) < 300
        return
    _assert_sound(model)


def test_the_valid_pth_reads_and_its_pickle_span_is_found() -> None:
    data = VALID_PTH.read_bytes()
    start, stop = _pickle_span(data)
    assert data[start : start + 2] == b"\x80\x02" and data[stop - 1 : stop] == b"."
    assert read_model(data, "checkpoint.pth").total_params == 42


def test_hand_written_state_dict_reads_so_each_hostile_case_breaks_one_rule() -> None:
    model = read_model(make_hostile_files.valid_op_state_dict(), "valid.pt")
    assert [layer.name for layer in model.layers] == ["rnn"] and model.total_params == 56
