"""The deployment's safety settings: a non-root container, no tracebacks for visitors, pinned protections,
and a lock file that satisfies requirements.txt's ranges."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tools.lock import closure, read_lock, stale, top_level

ROOT = Path(__file__).resolve().parents[1]
tomllib = pytest.importorskip("tomllib")  # Python 3.11+, as the image and CI


def lock() -> dict[str, str]:
    return read_lock((ROOT / "requirements.lock").read_text())


def test_the_container_runs_as_a_non_root_user() -> None:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    last_user = max(i for i, line in enumerate(lines) if line.startswith("USER "))
    assert not any(line.startswith(("RUN", "CMD")) and "sudo" in line for line in lines[last_user:])
    assert any(re.match(r"RUN pip install .*-r requirements\.lock", line) for line in lines)
    assert not any("requirements.txt" in line for line in lines if line.startswith(("RUN", "COPY")))


def test_visitors_get_a_one_line_error_and_protections_are_pinned() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True


def test_the_lock_pins_every_requirement_within_its_range() -> None:
    pins = lock()
    assert len(pins) > 3  # the whole closure, not only the three direct dependencies
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        req = Requirement(line)
        assert req.specifier, f"{req.name}: requirements.txt keeps a range"
        version = pins[canonicalize_name(req.name)]
        assert req.specifier.contains(version), f"{req.name}=={version} is outside {req.specifier}"


def test_pip_install_ships_every_subpackage_and_the_example_models() -> None:
    # `pip install .` once installed only lstmviz/*.py: no readers, figures, ui, nor the inspect view's examples.
    from fnmatch import fnmatch

    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    include = setuptools["packages"]["find"]["include"]
    for init in (ROOT / "lstmviz").rglob("__init__.py"):
        package = ".".join(init.parent.relative_to(ROOT).parts)
        assert any(fnmatch(package, pattern) for pattern in include), package
    globs = setuptools["package-data"]["lstmviz"]
    examples = [p for p in (ROOT / "lstmviz" / "examples").iterdir() if p.is_file()]
    assert examples
    for path in examples:
        relative = path.relative_to(ROOT / "lstmviz").as_posix()
        assert any(fnmatch(relative, pattern) for pattern in globs), relative


def test_the_lock_check_tolerates_pins_other_interpreters_need_but_not_drift() -> None:
    here = closure(top_level(ROOT / "requirements.txt"))
    assert stale(here, lock()) == []
    # A pin whose marker is false here (typing-extensions on a newer Python) is not staleness...
    assert stale({k: v for k, v in here.items() if k != "typing-extensions"}, lock()) == []
    # ...but a needed package at another version, or missing from the lock, is.
    assert stale({**here, "numpy": "0.0.1"}, lock()) == ["numpy is 0.0.1, locked " + lock()["numpy"]]
    assert stale({**here, "exceptiongroup": "1.2.0"}, lock()) == ["exceptiongroup 1.2.0 not in the lock"]
