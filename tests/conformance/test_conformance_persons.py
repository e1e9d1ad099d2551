"""The ``--persons`` file of ``settlenet conformance``: what it may say, and one clear line naming
file, entry and key for each thing it may not."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.conformance.persons import Person, PersonsError, load

GOOD_CERTNO = "130102195005259039"


def test_a_good_file_gives_its_persons_with_the_nodes_region_by_default(tmp_path: Path) -> None:
    f = tmp_path / "persons.yaml"
    f.write_text(
        "persons:\n"
        f"  - {{psn_no: '13010000000000000002', certno: '{GOOD_CERTNO}', insutype: '310'}}\n"
        f"  - {{psn_no: P11, certno: '{GOOD_CERTNO}', insutype: 390, insuplc_admdvs: 110000}}\n"
    )
    assert load(f, "130100") == [
        Person("13010000000000000002", GOOD_CERTNO, "310", "130100"),
        Person("P11", GOOD_CERTNO, "390", "110000"),
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        pytest.param("persons: []\n", "non-empty list 'persons'", id="empty"),
        pytest.param("people: []\n", "unknown top-level key(s) people", id="top-level key"),
        pytest.param("persons: [1]\n", "persons[0]: expected a mapping", id="not a mapping"),
        pytest.param(
            f"- {{certno: '{GOOD_CERTNO}', insutype: '310'}}\n",
            "persons[0].psn_no: missing",
            id="no psn_no",
        ),
        pytest.param(
            "- {psn_no: P1, certno: '130102195005259038', insutype: '310'}\n",
            "persons[0].certno: '130102********9038' check character",
            id="bad certno, masked",
        ),
        pytest.param(
            f"- {{psn_no: P1, certno: '{GOOD_CERTNO}', insutype: '300'}}\n",
            "persons[0].insutype: '300' must be 310 (employee) or 390",
            id="insutype",
        ),
        pytest.param(
            f"- {{psn_no: P1, certno: '{GOOD_CERTNO}', insutype: '310', insuplc_admdvs: '13'}}\n",
            "persons[0].insuplc_admdvs: '13' must be a 6-digit",
            id="admdvs",
        ),
        pytest.param(
            f"- {{psn_no: P1, certno: '{GOOD_CERTNO}', insutype: '310', name: x}}\n",
            "persons[0]: unknown key(s) name",
            id="unknown key",
        ),
        pytest.param(
            f"- {{psn_no: P1, certno: '{GOOD_CERTNO}', insutype: '310'}}\n" * 2,
            "persons[1].psn_no: 'P1' is listed twice",
            id="twice",
        ),
        pytest.param("persons: [\n", "not valid YAML", id="yaml"),
        pytest.param(
            f"- {{psn_no: 'P 1', certno: '{GOOD_CERTNO}', insutype: '310'}}\n",
            "persons[0].psn_no: 'P 1' must be 1 to 30 letters or digits",
            id="psn_no",
        ),
    ],
)
def test_a_bad_file_is_one_line_naming_entry_and_key(tmp_path: Path, text: str, says: str) -> None:
    f = tmp_path / "persons.yaml"
    f.write_text(text)
    with pytest.raises(PersonsError) as err:
        load(f, "130100")
    assert says in str(err.value)
    assert str(err.value).startswith(str(f))
    assert "\n" not in str(err.value) and "19500525" not in str(err.value)


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(PersonsError, match="cannot read"):
        load(tmp_path / "nope.yaml", "130100")
