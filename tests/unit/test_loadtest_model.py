"""The load generator's traffic model, schedules, populations and report: deterministic and
consistent, without timing anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.loadtest import population, schedule
from scripts.loadtest.model import (
    CatalogueRef,
    InstitutionRef,
    ModelConfig,
    ModelError,
    PersonRef,
    ProvinceView,
    TrafficModel,
    load_config,
)
from scripts.loadtest.report import build
from scripts.loadtest.stats import Recorder


def _view(code: str, persons: int = 50, filed_for: str = "") -> ProvinceView:
    return ProvinceView(
        code=code,
        endpoint="127.0.0.1:1",
        institutions=(InstitutionRef(f"H{code}0100000001", f"{code}0100", "3"),),
        catalogue=(CatalogueRef(f"X{code}01", 1000), CatalogueRef(f"X{code}02", 0)),
        outside_catalogue=("Z999",),
        persons=[
            PersonRef(
                f"{code}{n:010d}", f"{n:018d}", "310", f"{code}0100", filed_for if n % 2 else ""
            )
            for n in range(persons)
        ],
    )


NET = {"11": _view("11"), "13": _view("13"), "44": _view("44", filed_for="11"), "51": _view("51")}


def _take(model: TrafficModel, n: int) -> list[tuple[object, ...]]:
    out = []
    for op in model.ops():
        out.append((op.seq, op.kind, op.pair, op.person.psn_no, op.lines))
        if len(out) == n:
            return out
    return out


def test_the_same_seed_gives_the_same_operations() -> None:
    a = _take(TrafficModel(ModelConfig(seed=7), NET), 500)
    b = _take(TrafficModel(ModelConfig(seed=7), NET), 500)
    c = _take(TrafficModel(ModelConfig(seed=8), NET), 500)
    assert a == b
    assert a != c


def test_resuming_at_a_sequence_number_continues_the_same_sequence() -> None:
    model = TrafficModel(ModelConfig(seed=3), NET)
    whole = _take(model, 40)
    later = next(model.ops(start=25))
    assert (later.seq, later.kind, later.pair, later.person.psn_no, later.lines) == whole[25]


def test_every_operation_is_cross_province_with_consistent_money() -> None:
    for op in TrafficModel(ModelConfig(), NET).ops(start=0):
        assert op.treat != op.insured
        assert op.person.insuplc_admdvs.startswith(op.insured)
        assert op.institution.admdvs.startswith(op.treat)
        assert 1 <= len(op.lines) <= 30
        assert op.medfee_sumamt == sum(x.amount() for x in op.lines) > 0
        if op.seq == 300:
            break


def test_weighted_pairs_favour_guangdong_and_ignore_absent_provinces() -> None:
    model = TrafficModel(ModelConfig(), NET)
    shares = model.pair_shares()
    treated_in = {t: sum(v for k, v in shares.items() if k.startswith(t)) for t in NET}
    assert max(treated_in, key=lambda t: treated_in[t]) == "44"
    assert model.ignored == ["31", "32", "33"]
    uniform = TrafficModel(ModelConfig(pairs="uniform"), NET).pair_shares()
    assert len(set(uniform.values())) == 1 and len(uniform) == 12


def test_mix_shares_are_followed() -> None:
    model = TrafficModel(ModelConfig(mix={"visit": 0.5, "revoke": 0.5}), NET)
    kinds = [op.kind for op, _ in zip(model.ops(), range(2000), strict=False)]
    assert set(kinds) == {"visit", "revoke"}
    assert 0.4 < kinds.count("visit") / len(kinds) < 0.6


def test_persons_filed_for_the_treatment_province_are_preferred() -> None:
    model = TrafficModel(ModelConfig(pair_weights=(("11", "44", 1.0),)), NET)
    persons = {op.person for op, _ in zip(model.ops(), range(200), strict=False)}
    assert persons and all(p.filed_for == "11" for p in persons)


def test_a_model_file_is_read_and_checked(tmp_path: Path) -> None:
    good = tmp_path / "m.yaml"
    good.write_text("seed: 4\npairs: uniform\nmix: {visit: 1}\nfee_lines: {median: 3, max: 9}\n")
    cfg = load_config(good)
    assert (cfg.seed, cfg.pairs, dict(cfg.mix), cfg.fee_lines_max) == (
        4,
        "uniform",
        {"visit": 1.0},
        9,
    )
    assert load_config(good, seed=9).seed == 9
    bad = tmp_path / "b.json"
    bad.write_text(json.dumps({"mix": {"visit": 1, "teleport": 1}}))
    with pytest.raises(ModelError, match="teleport"):
        load_config(bad)
    bad.write_text(json.dumps({"colour": "red"}))
    with pytest.raises(ModelError, match="colour"):
        load_config(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("10x1", [i / 10 for i in range(10)], id="constant"),
        pytest.param("2x1,4x1", [0, 0.5, 1.0, 1.25, 1.5, 1.75], id="steps"),
    ],
)
def test_open_loop_arrivals_follow_the_schedule(text: str, expected: list[float]) -> None:
    got = list(schedule.arrivals(schedule.parse(text, None)))
    assert got == pytest.approx(expected)


def test_a_ramp_has_the_right_number_of_arrivals_and_speeds_up() -> None:
    times = list(schedule.arrivals(schedule.parse("ramp:0-100x10", None)))
    assert len(times) == 500  # the area under the ramp
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert gaps[0] > gaps[-1]


def test_a_count_beyond_the_schedule_carries_on_at_the_last_rate() -> None:
    got = list(schedule.arrivals(schedule.parse("5", 1.0), limit=8))
    assert got == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4])


def test_generated_population_is_the_nodes_own() -> None:
    from provincial_nodes import seed

    ours = list(population.generate("13", 3000))
    assert ours == list(seed.population("13", 3000))  # what `settlenet up --population` makes
    assert len({m["certno"] for m in ours}) == 3000


def test_the_report_counts_add_up() -> None:
    r = Recorder()
    for i in range(30):
        code = "OK" if i % 5 else "UNAVAILABLE"
        r.offered(i // 10)
        r.call("2207 Settle", 0.004, code, measuring=True)
        r.op(
            "visit" if i % 2 else "revoke",
            "44->51" if i % 3 else "11->13",
            0.01 + i / 1000,
            code,
            second=i // 10,
            measuring=True,
            settled=1 if code == "OK" else 0,
        )
    r.op("visit", "44->51", 0.5, "OK", second=0, measuring=False)
    doc = build(r, settings={}, model={}, target={}, measured_s=3.0, prepare={})
    s = doc["summary"]
    assert s["ops"] == 30 == s["ok"] + s["errors"]
    assert s["errors"] == 6 and doc["errors_by_code"] == {"UNAVAILABLE": 6}
    assert sum(t["count"] for t in doc["ops"].values()) == 30
    assert sum(t["count"] for t in doc["pairs"].values()) == 30
    assert sum(row["ok"] + row["errors"] for row in doc["timeline"]) == 30
    assert s["warmup_ops_excluded"] == 1 and s["settlements"] == 24
    lat = doc["ops"]["visit"]["latency_ms"]
    assert lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p99.9"] <= lat["max"]
