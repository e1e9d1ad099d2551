"""The shared document reader: each error names the file and the key, and carries the bad
value."""

from __future__ import annotations

import pytest

from provincial_nodes import config
from services.values.errors import ConfigError


def test_a_wrong_ratio_names_file_key_and_carries_the_value() -> None:
    doc = "schemes:\n  '130100':\n  - insutype: '310'\n    med_type: '11'\n    periods:\n"
    doc += "    - valid_from: 2026-01-01\n      source: x\n      ratio_by_level: "
    doc += "{'1': '0.5', '2': '0.5', '3': 1.5}\n"
    with pytest.raises(config.DocumentError) as err:
        config.policy_schemes(config.Reader("LoadPolicy", doc))
    assert isinstance(err.value, ConfigError)
    assert err.value.file == "LoadPolicy"
    assert err.value.key == "schemes.130100[0].periods[0].ratio_by_level.3"
    assert err.value.value == 1.5


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        pytest.param("entries: nope", "entries", "nope", id="a-list-that-is-a-string"),
        pytest.param("entries: []\nextra: 1", "extra", "extra", id="an-unknown-key"),
    ],
)
def test_catalogue_errors_carry_the_bad_value(text: str, key: str, value: object) -> None:
    with pytest.raises(config.DocumentError) as err:
        config.catalogue_entries(config.Reader("LoadCatalogue", text))
    assert (err.value.key, err.value.value) == (key, value)
