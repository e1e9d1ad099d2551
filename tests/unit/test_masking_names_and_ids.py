"""Masking gaps of issue 15: old 15-digit and 18-digit ID numbers inside longer tokens, names
written after their field's name anywhere in a line, refused values logged beside a name field,
and errors that never carry a name in clear; msgids and other long ids stay untouched."""

from __future__ import annotations

import pytest

from provincial_nodes import config
from services.logs.masking import mask_event, mask_text
from services.values.errors import InvalidField


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        pytest.param("ID130102500525903abc", "ID130102******903abc", id="15-digit-inside-a-word"),
        pytest.param("x=130102500525903", "x=130102******903", id="15-digit-at-the-end"),
        pytest.param("P130102195005259039", "P130102********9039", id="18-inside-a-word"),
        pytest.param("k:13010219500525903x,", "k:130102********903x,", id="18-lowercase-x"),
        pytest.param("P130102195005259039X", "P130102********9039X", id="18-digits-then-X"),
        pytest.param("130102195005259039_q", "130102********9039_q", id="18-then-underscore"),
        pytest.param(
            "H11010500001202612011234560001", "H11010500001202612011234560001", id="msgid"
        ),
        pytest.param("11000020261201000012", "11000020261201000012", id="20-digit-setl-id"),
        pytest.param("M1300002026120100001234", "M1300002026120100001234", id="mdtrt-id"),
        pytest.param("2026-12-01 17:00:00.123456", "2026-12-01 17:00:00.123456", id="a-time"),
    ],
)
def test_id_numbers_are_masked_inside_tokens_and_long_ids_are_not(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        pytest.param("psn_name=张三丰 ok", "psn_name=张** ok", id="key-equals"),
        pytest.param("{'psn_name': '张三丰', 'a': 1}", "{'psn_name': '张**', 'a': 1}", id="repr"),
        pytest.param('{"psn_name": "张三丰"}', '{"psn_name": "张**"}', id="json"),
        pytest.param("  dr_name: 李四\n", "  dr_name: 李*\n", id="yaml-line"),
        pytest.param("opter_name='王五', x", "opter_name='王*', x", id="operator"),
        pytest.param("fixmedins_name=某医院", "fixmedins_name=某医院", id="not-a-person"),
    ],
)
def test_names_written_after_their_field_are_masked_anywhere(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_a_refused_name_logged_beside_its_field_is_masked() -> None:
    event = {"event": "rpc_refused", "field": "yaml.persons[0].psn_name", "value": "'张三丰'"}
    assert mask_event(None, "info", event)["value"] == "'张**'"
    event = {"event": "rpc_refused", "field": "certno", "value": "'13010219500525903'"}
    assert "195005" not in str(mask_event(None, "info", event))


def test_an_error_never_carries_a_name_in_clear() -> None:
    err = InvalidField("psn_name", "张三丰", "does not match the insured person")
    assert "三丰" not in str(err) and err.value == "张**"
    assert InvalidField("yaml.persons[0].dr_name", "李四", "x").value == "李*"
    assert InvalidField("psn_no", "13010000000000000001", "x").value == "13010000000000000001"


def test_a_document_error_masks_a_name_and_summarizes_a_mapping() -> None:
    doc = "persons:\n- psn_no: '1'\n  certno: '130102195005259039'\n  psn_name: " + "张" * 60
    doc += "\n  insutype: '310'\n  psn_type: '11'\n  insuplc_admdvs: '130100'\n"
    with pytest.raises(config.DocumentError) as err:
        config.person_records(config.Reader("LoadPersons", doc), {"130100": "石家庄"})
    assert err.value.key == "persons[0].psn_name"
    assert "张张" not in str(err.value)
    with pytest.raises(config.DocumentError) as err:
        config.person_records(
            config.Reader("LoadPersons", "persons: [[{psn_name: 张三丰}]]"), {"130100": "x"}
        )
    assert "三丰" not in str(err.value) and err.value.value == "<a list of 1 items>"
