"""Documents from strangers (AdminService) are bounded (issue 15): an alias chain, deep nesting,
a key given twice, a 2^63 amount, a far date, a period given twice and a wrong shape are each
refused naming the key and the value, before anything downstream sees them."""

from __future__ import annotations

import pytest
import yaml

from provincial_nodes import config
from provincial_nodes.config import bounded_yaml
from services.values.errors import SHOWN_CHARS, shown

REGIONS = {"130100": "石家庄"}


def _policy(**period: object) -> str:
    base = {"valid_from": "2024-01-01", "source": "x"}
    base["ratio_by_level"] = {"1": "0.9", "2": "0.9", "3": "0.9"}  # type: ignore[assignment]
    base.update(period)  # type: ignore[arg-type]
    doc = {"schemes": {"130100": [{"insutype": "310", "med_type": "11", "periods": [base]}]}}
    return yaml.safe_dump(doc)


def _refused(text: str, read=config.policy_schemes) -> config.DocumentError:
    with pytest.raises(config.DocumentError) as err:
        read(config.Reader("LoadPolicy", text, max_bytes=config.MAX_DOCUMENT_BYTES))
    return err.value


def test_the_456_byte_alias_chain_is_refused_while_composing() -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    err = _refused("\n".join(lines))
    assert "aliases are expanded" in err.problem and len(str(err)) < 300


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param("[" * 5000 + "]" * 5000, "nest", id="deep-flow"),
        pytest.param("".join(f"{'  ' * i}k:\n" for i in range(100)) + "x", "nested", id="deep-map"),
        pytest.param("a: &a [*a]", "loop", id="recursive-alias"),
        pytest.param("schemes: {a: 1, a: 2}", "given twice", id="duplicate-key"),
        pytest.param("x: 2026-13-45", "month", id="impossible-date"),
        pytest.param("x: " + "9" * 5000, "digits", id="5000-digit-int"),
        pytest.param("x: !!python/object/apply:os.system [ls]", "constructor", id="python-tag"),
    ],
)
def test_yaml_past_a_bound_is_refused_as_invalid_yaml(text: str, problem: str) -> None:
    err = _refused(text)
    assert err.key == "(file)" and "not valid YAML" in err.problem and problem in err.problem


def test_a_document_past_1_mib_is_refused_before_it_is_read() -> None:
    err = _refused("#" * (config.MAX_DOCUMENT_BYTES + 1))
    assert err.key == "(file)" and err.value == config.MAX_DOCUMENT_BYTES + 1


def test_the_province_files_and_their_aliases_still_load() -> None:
    for code in ("11", "13", "44", "51"):
        assert config.load(config.DEFAULT_DATA / code).persons


@pytest.mark.parametrize(
    ("period", "key", "value"),
    [
        pytest.param({"cap_fen_annual": 2**63}, "cap_fen_annual", 2**63, id="2^63-cap"),
        pytest.param({"cap_fen_monthly": -1}, "cap_fen_monthly", -1, id="negative-cap"),
        pytest.param(
            {"deductible_fen_annual": 10**9}, "deductible_fen_annual", 10**9, id="huge-deductible"
        ),
        pytest.param({"valid_to": "9999-12-31"}, "valid_to", None, id="far-date"),
        pytest.param({"retired_tilt": "1.5"}, "retired_tilt", "1.5", id="ratio-over-100%"),
        pytest.param({"segments": {"from_fen": 1}}, "segments", None, id="mapping-for-a-list"),
        pytest.param({"source": "x" * 10_000}, "source", None, id="10k-source"),
    ],
)
def test_an_out_of_range_value_is_refused_naming_key_and_value(
    period: dict[str, object], key: str, value: object
) -> None:
    err = _refused(_policy(**period))
    assert err.key == f"schemes.130100[0].periods[0].{key}"
    if value is not None:
        assert err.value == value
    assert str(err).count(shown(err.value)) == 1
    assert len(shown(err.value).split("…")[0]) <= SHOWN_CHARS


def test_a_period_given_twice_is_refused() -> None:
    doc = yaml.safe_load(_policy())
    periods = doc["schemes"]["130100"][0]["periods"]
    periods.append(dict(periods[0], source="again"))
    err = _refused(yaml.safe_dump(doc))
    assert err.key == "schemes.130100[0].periods[1].valid_from" and "same day" in err.problem


def test_a_region_given_as_number_and_as_string_is_one_region_given_twice() -> None:
    scheme = "  - insutype: '310'\n    med_type: '11'\n    periods:\n    - valid_from: 2024-01-01\n"
    scheme += "      source: x\n      ratio_by_level: {'1': '0.9', '2': '0.9', '3': '0.9'}\n"
    err = _refused(f"schemes:\n  '130100':\n{scheme}  130100:\n{scheme}")
    assert "duplicate scheme" in err.problem


def test_a_big_integer_error_stays_short() -> None:
    err = _refused(_policy(cap_fen_annual=10**4000))
    assert len(str(err)) < 300 and "bits" in str(err)


def test_an_accumulator_above_the_fen_limit_is_refused() -> None:
    doc = {
        "persons": [
            {
                "psn_no": "13010000000000000777",
                "certno": "130102195005259039",
                "psn_name": "张三",
                "insutype": "310",
                "psn_type": "11",
                "insuplc_admdvs": "130100",
                "accumulators": [{"year": 2026, "fund_paid_year": 2**63}],
            }
        ]
    }
    with pytest.raises(config.DocumentError) as err:
        config.person_records(config.Reader("LoadPersons", yaml.safe_dump(doc)), REGIONS)
    assert err.value.key == "persons[0].accumulators[0].fund_paid_year"


def test_the_loader_is_bounded_when_used_alone() -> None:
    assert bounded_yaml.load("a: &x [1, 2]\nb: *x") == {"a": [1, 2], "b": [1, 2]}
    with pytest.raises(yaml.YAMLError):
        bounded_yaml.load("[" * 100 + "]" * 100)
