"""The generated stubs in services/pb are exactly what protos/ generates: stale stubs fail."""

from __future__ import annotations

import filecmp
from pathlib import Path

from scripts.gen_protos import OUT_DEFAULT, generate


def _files(root: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(root)): p
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_generated_code_is_fresh(tmp_path: Path) -> None:
    generate(tmp_path / "pb")
    fresh, committed = _files(tmp_path / "pb"), _files(OUT_DEFAULT)
    assert sorted(fresh) == sorted(committed), "run: python -m scripts.gen_protos"
    stale = [name for name in fresh if not filecmp.cmp(fresh[name], committed[name], shallow=False)]
    assert not stale, f"stale generated files {stale}; run: python -m scripts.gen_protos"
