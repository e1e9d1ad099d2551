"""The committed province data files are exactly what ``python -m provincial_nodes.seed``
generates: seed.py holds the catalogue, policy and persons as Python, so an edit to one side
alone fails here (regenerate with ``python -m provincial_nodes.seed``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from provincial_nodes import seed

COMMITTED = seed.DATA


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("provinces")
    subprocess.run([sys.executable, "-m", "provincial_nodes.seed", str(out)], check=True)
    return out


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.glob("*/*") if p.is_file())


def test_seed_writes_the_same_files_as_are_committed(generated: Path) -> None:
    assert _files(generated) == _files(COMMITTED)


@pytest.mark.parametrize("name", _files(COMMITTED))
def test_committed_data_file_equals_seed_output(generated: Path, name: str) -> None:
    assert (COMMITTED / name).read_text(encoding="utf-8") == (generated / name).read_text(
        encoding="utf-8"
    ), f"{name} differs from seed.py's output: run `python -m provincial_nodes.seed`"
