#!/usr/bin/env python3
"""Bootstrap and run, on a machine with only Python 3.11:

    python3 scripts/dev.py demo      # create .venv if needed, install, run the demo
    python3 scripts/dev.py test      # create .venv if needed, install, run the whole test
                                     # suite (further arguments go to pytest)
    python3 scripts/dev.py check     # ruff format --check, ruff check and mypy --strict
    python3 scripts/dev.py -- ARGS   # any settlenet command, e.g. -- up --data var/net

The virtual environment is rebuilt when pyproject.toml changes. Uses only the standard library.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".settlenet-installed"


def _ensure_env() -> None:
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == want:
        return
    if not (BIN / "python").exists():
        print("dev: creating .venv", file=sys.stderr, flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("dev: installing settlenet and its test tools into .venv", file=sys.stderr, flush=True)
    subprocess.run(
        [
            str(BIN / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-e",
            f"{ROOT}[test]",
        ],
        check=True,
    )
    STAMP.write_text(want)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    _ensure_env()
    command, rest = argv[0], argv[1:]
    if command == "test":
        args = [str(BIN / "python"), "-m", "pytest", *rest]
    elif command == "check":
        os.chdir(ROOT)
        for check in (["ruff", "format", "--check", "."], ["ruff", "check", "."], ["mypy"]):
            print("dev: " + " ".join(check), file=sys.stderr, flush=True)
            if subprocess.call([str(BIN / check[0]), *check[1:]]) != 0:
                return 1
        return 0
    elif command == "--":
        args = [str(BIN / "settlenet"), *rest]
    else:
        args = [str(BIN / "settlenet"), command, *rest]
    os.chdir(ROOT)
    return subprocess.call(args)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
