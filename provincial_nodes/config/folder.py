"""A province folder: its four documents loaded together and checked against each other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from provincial_nodes import seed
from provincial_nodes.config.catalogue import load_catalogue
from provincial_nodes.config.persons import load_persons
from provincial_nodes.config.policy import load_policy
from provincial_nodes.config.province import load_province_file
from provincial_nodes.domain.catalogue import Catalogue
from provincial_nodes.domain.institution import Institution
from provincial_nodes.domain.person import Person, PersonRecord
from provincial_nodes.domain.policy import PolicyBook
from services.values.errors import ConfigError


@dataclass(frozen=True)
class ProvinceData:
    code: str
    name: str
    name_en: str
    admdvs: str
    regions: dict[str, str]
    institutions: dict[str, Institution]
    catalogue: Catalogue
    policy: PolicyBook
    records: list[PersonRecord]

    @property
    def persons(self) -> list[Person]:
        return [r.person for r in self.records]

    def balance(self, psn_no: str) -> int:
        return next(r.acct_balc for r in self.records if r.person.psn_no == psn_no)


def load(folder: Path) -> ProvinceData:
    """Load and check every file of a province folder."""
    code, name, name_en, admdvs, regions, institutions = load_province_file(
        folder / "province.yaml"
    )
    catalogue = load_catalogue(folder / "catalogue.yaml")
    policy = load_policy(folder / "policy.yaml")
    unknown = policy.regions() - set(regions)
    if unknown:
        raise ConfigError(
            str(folder / "policy.yaml"),
            f"schemes.{sorted(unknown)[0]}",
            "region is not listed in province.yaml regions",
        )
    persons = load_persons(folder / "persons.yaml", regions)
    return ProvinceData(
        code=code,
        name=name,
        name_en=name_en,
        admdvs=admdvs,
        regions=regions,
        institutions=institutions,
        catalogue=catalogue,
        policy=policy,
        records=persons,
    )


DEFAULT_DATA = Path(__file__).parent.parent / "data" / "provinces"


def province_folder(code: str, data_root: Path | None = None) -> Path:
    """The data folder of province ``code``: under ``data_root`` when given; else the default
    data (the four hand-checked provinces) or, for the other 28 province-level codes, a
    synthetic province written on first use (``seed.synthetic_folder``: a template province's
    rules under the code's own regions, for load tests of the national topology)."""
    folder = (data_root or DEFAULT_DATA) / code
    if data_root is None and not folder.exists() and code in seed.SYNTHETIC_CODES:
        return seed.synthetic_folder(code)
    return folder
