"""A malformed data file gives one clear error naming the file, the key and the problem."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from provincial_nodes import config
from services.values.errors import ConfigError


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "13"
    shutil.copytree(config.province_folder("13"), folder)
    return folder


def _edit_policy(folder: Path, change) -> None:
    path = folder / "policy.yaml"
    doc = yaml.safe_load(path.read_text())
    change(doc["schemes"]["130100"])
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        pytest.param(
            lambda s: s[0]["periods"][0].update(
                ratio_by_level={"1": "1.2", "2": "0.5", "3": "0.5"}
            ),
            "ratio_by_level.1",
            "between 0 and 1",
            id="ratio-above-100-percent",
        ),
        pytest.param(
            lambda s: s[0]["periods"][0].update(colour="blue"),
            "periods[0].colour",
            "unknown key",
            id="unknown-key",
        ),
        pytest.param(
            lambda s: s[0]["periods"][0].update(cap_fen_annual="lots"),
            "cap_fen_annual",
            "integer number of fen",
            id="wrong-type",
        ),
        pytest.param(
            lambda s: s[0]["periods"][0].update(valid_to=date(2025, 11, 30)),
            "valid_to",
            "gap",
            id="gap-between-periods",
        ),
        pytest.param(
            lambda s: s[0]["periods"][0].update(valid_to=date(2026, 3, 1)),
            "valid_to",
            "overlap",
            id="overlapping-periods",
        ),
        pytest.param(
            lambda s: s[0]["periods"][0].pop("source"),
            "source",
            "missing",
            id="value-without-source",
        ),
        pytest.param(
            lambda s: s[0]["periods"][1]["filing"].update(temporary_referral="0.15"),
            "periods[1].filing.temporary_referral",
            "'0.15': 15 points is more than the national ceiling of 10 points",
            id="temporary-referral-above-the-national-ceiling",
        ),
        pytest.param(
            lambda s: s[0]["periods"][1]["filing"].update(temporary_other="0.25"),
            "periods[1].filing.temporary_other",
            "'0.25': 25 points is more than the national ceiling of 20 points",
            id="temporary-other-above-the-national-ceiling",
        ),
        pytest.param(
            lambda s: s[0]["periods"][1]["filing"].update(unfiled_other="0.15"),
            "periods[1].filing.unfiled_other",
            "'0.15': 15 points is less than temporary_other (20 points)",
            id="unfiled-reduction-below-the-temporary-one",
        ),
        pytest.param(
            lambda s: s[0]["periods"][1]["filing"].update(reduction_referral="0.10"),
            "periods[1].filing.reduction_referral",
            "renamed: reduction_referral is now unfiled_referral",
            id="old-filing-key-renamed",
        ),
        pytest.param(
            lambda s: s[0]["periods"][1]["filing"].update(unfiled="refuse"),
            "periods[1].filing.unfiled_referral",
            "applies only with unfiled: reduce",
            id="unfiled-reduction-in-a-refusing-region",
        ),
    ],
)
def test_malformed_policy_names_file_key_and_problem(
    tmp_path: Path, change, key: str, problem: str
) -> None:
    folder = _copy(tmp_path)
    _edit_policy(folder, change)
    with pytest.raises(ConfigError) as err:
        config.load(folder)
    assert err.value.file.endswith("policy.yaml")
    assert key in err.value.key
    assert problem in err.value.problem


def test_default_data_loads_for_every_province() -> None:
    for code in ("11", "13", "44", "51"):
        data = config.load(config.province_folder(code))
        assert len(data.catalogue) >= 60
        assert {p.insutype for p in data.persons} == {"310", "390"}
        assert {"11", "12"} <= {p.psn_type for p in data.persons}
        assert {i.medins_lv for i in data.institutions.values()} == {"1", "2", "3"}


def test_a_node_does_not_start_on_a_malformed_policy(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = tmp_path / "provinces"
    root.mkdir()
    folder = _copy(root)
    _edit_policy(folder, lambda s: s[0]["periods"][0].update(ratio_by_level={"1": "7"}))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.cli",
            "province",
            "--code",
            "13",
            "--hub",
            "127.0.0.1:1",
            "--province-data",
            str(root),
            "--data",
            str(tmp_path / "db"),
            "--insecure",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "policy.yaml" in proc.stderr and "ratio_by_level" in proc.stderr
    assert not (tmp_path / "db" / "province-13.db").exists()


def test_generated_populations_have_unique_id_numbers() -> None:
    from provincial_nodes import seed

    defaults = {p.certno for p in config.load(config.province_folder("13")).persons}
    made = [m["certno"] for m in seed.population("13", 20_000)]
    assert len(set(made)) == len(made) and not defaults & set(made)
