"""The 32 province-level units of the national network: the four default provinces are
hand-checked data; the other 28 are synthetic (a template's rules under their own codes), load
strictly like any province, say they are synthetic, and never collide with each other."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from provincial_nodes import config, seed


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SETTLENET_CACHE", str(tmp_path))


def test_all_is_the_32_of_the_national_network() -> None:
    codes = seed.province_codes("all")
    assert len(codes) == 32 and len(set(codes)) == 32
    assert {"11", "13", "44", "51", "66"} <= set(codes)  # 66: the Production and Construction Corps
    assert seed.province_codes(" 44, 11 ") == ["44", "11"]


@pytest.mark.parametrize("text", ["99", "11,1", "", ","])
def test_an_unknown_code_is_refused_naming_it(text: str) -> None:
    with pytest.raises(ValueError, match="unknown province code"):
        seed.province_codes(text)


def test_every_province_loads_and_synthetic_ones_say_so() -> None:
    seen_institutions: set[str] = set()
    seen_regions: set[str] = set()
    for code in seed.NATIONAL_CODES:
        folder = config.province_folder(code)
        data = config.load(folder)  # strict validation, as a node starting on it
        assert data.code == code and data.admdvs[:2] == code
        assert all(p.psn_no.startswith(data.admdvs) for p in data.persons)
        assert not seen_institutions & set(data.institutions)
        seen_institutions |= set(data.institutions)
        assert data.admdvs not in seen_regions
        seen_regions.add(data.admdvs)
        sources = [
            period["source"]
            for scheme in yaml.safe_load((folder / "policy.yaml").read_text())["schemes"][
                data.admdvs
            ]
            for period in scheme["periods"]
        ]
        synthetic = code in seed.SYNTHETIC_CODES
        assert folder.parent == config.DEFAULT_DATA if not synthetic else folder.exists()
        assert all(s.startswith("synthetic") == synthetic for s in sources), code


def test_a_synthetic_population_has_its_own_regions() -> None:
    persons = list(seed.population("66", 50))
    assert {p["insuplc_admdvs"] for p in persons} == {"660000"}
    assert len({p["certno"] for p in persons}) == 50
