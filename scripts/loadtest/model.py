"""The traffic model: which operation comes next, between which provinces, for whom, where, with
which fee lines. Deterministic for a seed: the same seed and the same network give the same
sequence of operations, whatever the timing of the run.

A model file (YAML or JSON) may set any of these keys; the defaults are shown::

    seed: 1
    pairs: weighted            # or "uniform": every ordered pair of distinct provinces alike
    treatment_weights:         # where people are treated (weighted mode); "default" for others
      "44": 30                 # Guangdong
      "33": 20                 # Zhejiang
      "31": 16                 # Shanghai
      "11": 14                 # Beijing
      "32": 12                 # Jiangsu
      default: 3
    insured_weights: {default: 1}
    pair_weights: []           # explicit [{treat: "44", insured: "51", weight: 5}], overrides
    mix: {visit: 0.80, settle_only: 0.15, revoke: 0.05}
    fee_lines: {median: 5, max: 30}
    filed_share: 1.0           # share of visits by persons filed for the treatment province

A person is drawn among those of the insured province who filed remote treatment for the
treatment province (a generated population files each person for one destination), or, with
``1 - filed_share`` or when none did, among all its persons: an insured place that refuses
unfiled visits then answers FAILED_PRECONDITION, counted like any error.

Only provinces present in the network take part; a weight for an absent province is ignored
(and listed in the report). Migrants are treated mostly where they work: the default weights
favour the destinations of inter-provincial migration named in the issue.
"""

from __future__ import annotations

import bisect
import json
import math
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml

KINDS = ("visit", "settle_only", "revoke")
"""visit: 1101 → 2201 → 2204 → 2206 → 2207. settle_only: 2207 of a visit opened (2201, 2204)
before the timed run. revoke: 2208 of a settlement made earlier in the run."""

DEFAULT_TREATMENT_WEIGHTS: dict[str, float] = {
    "44": 30,
    "33": 20,
    "31": 16,
    "11": 14,
    "32": 12,
    "default": 3,
}


@dataclass(frozen=True)
class ModelConfig:
    seed: int = 1
    pairs: str = "weighted"
    treatment_weights: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_TREATMENT_WEIGHTS)
    )
    insured_weights: Mapping[str, float] = field(default_factory=lambda: {"default": 1.0})
    pair_weights: Sequence[tuple[str, str, float]] = ()
    mix: Mapping[str, float] = field(
        default_factory=lambda: {"visit": 0.80, "settle_only": 0.15, "revoke": 0.05}
    )
    fee_lines_median: int = 5
    fee_lines_max: int = 30
    filed_share: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "pairs": self.pairs,
            "treatment_weights": dict(self.treatment_weights),
            "insured_weights": dict(self.insured_weights),
            "pair_weights": [
                {"treat": t, "insured": i, "weight": w} for t, i, w in self.pair_weights
            ],
            "mix": dict(self.mix),
            "fee_lines": {"median": self.fee_lines_median, "max": self.fee_lines_max},
            "filed_share": self.filed_share,
        }


class ModelError(ValueError):
    """A model file or setting that cannot be used; the message names the key."""


_KEYS = {
    "seed",
    "pairs",
    "treatment_weights",
    "insured_weights",
    "pair_weights",
    "mix",
    "fee_lines",
    "filed_share",
}


def _weights(value: Any, key: str) -> dict[str, float]:
    if not isinstance(value, dict):
        raise ModelError(f"{key}: must be a mapping of province code to weight")
    out = {}
    for k, v in value.items():
        if not isinstance(v, (int, float)) or v < 0:
            raise ModelError(f"{key}.{k}: weight must be a number ≥ 0, not {v!r}")
        out[str(k)] = float(v)
    return out


def load_config(
    path: Path | None, *, seed: int | None = None, pairs: str | None = None
) -> ModelConfig:
    """The model from ``path`` (YAML or JSON; None: defaults), with command-line overrides."""
    raw: dict[str, Any] = {}
    if path is not None:
        text = path.read_text(encoding="utf-8")
        loaded = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        if not isinstance(loaded, dict):
            raise ModelError(f"{path}: must be a mapping")
        raw = loaded
    unknown = set(raw) - _KEYS
    if unknown:
        raise ModelError(
            f"unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_KEYS))}"
        )
    base = ModelConfig()
    kwargs: dict[str, Any] = {}
    if "seed" in raw:
        kwargs["seed"] = int(raw["seed"])
    if "pairs" in raw:
        kwargs["pairs"] = str(raw["pairs"])
    if "treatment_weights" in raw:
        kwargs["treatment_weights"] = _weights(raw["treatment_weights"], "treatment_weights")
    if "insured_weights" in raw:
        kwargs["insured_weights"] = _weights(raw["insured_weights"], "insured_weights")
    if "pair_weights" in raw:
        items = raw["pair_weights"]
        if not isinstance(items, list):
            raise ModelError("pair_weights: must be a list of {treat, insured, weight}")
        kwargs["pair_weights"] = tuple(
            (str(x["treat"]), str(x["insured"]), float(x.get("weight", 1))) for x in items
        )
    if "mix" in raw:
        mix = _weights(raw["mix"], "mix")
        bad = set(mix) - set(KINDS)
        if bad:
            raise ModelError(
                f"mix: unknown kind(s) {', '.join(sorted(bad))}; known: {', '.join(KINDS)}"
            )
        if sum(mix.values()) <= 0:
            raise ModelError("mix: the shares must not all be zero")
        kwargs["mix"] = mix
    if "fee_lines" in raw:
        fl = raw["fee_lines"]
        kwargs["fee_lines_median"] = int(fl.get("median", base.fee_lines_median))
        kwargs["fee_lines_max"] = int(fl.get("max", base.fee_lines_max))
    if "filed_share" in raw:
        share = raw["filed_share"]
        if not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise ModelError(f"filed_share: must be between 0 and 1, not {share!r}")
        kwargs["filed_share"] = float(share)
    if seed is not None:
        kwargs["seed"] = seed
    if pairs is not None:
        kwargs["pairs"] = pairs
    cfg = ModelConfig(**{**base.__dict__, **kwargs})
    if cfg.pairs not in ("weighted", "uniform"):
        raise ModelError(f"pairs: must be 'weighted' or 'uniform', not {cfg.pairs!r}")
    if not 1 <= cfg.fee_lines_median <= cfg.fee_lines_max <= 200:
        raise ModelError("fee_lines: need 1 ≤ median ≤ max ≤ 200")
    return cfg


# ---- what the model draws from ------------------------------------------------------------


@dataclass(frozen=True)
class PersonRef:
    psn_no: str
    certno: str
    insutype: str
    insuplc_admdvs: str
    filed_for: str = ""
    """The province this person filed remote treatment for, when the generator knows it."""


@dataclass(frozen=True)
class InstitutionRef:
    fixmedins_code: str
    admdvs: str
    medins_lv: str


@dataclass(frozen=True)
class CatalogueRef:
    code: str
    cap_fen: int


@dataclass(frozen=True)
class ProvinceView:
    """What the generator knows of one province: its endpoint, where its hospitals may settle
    cross-province, a catalogue sample, and the persons it insures."""

    code: str
    endpoint: str
    institutions: tuple[InstitutionRef, ...]
    catalogue: tuple[CatalogueRef, ...]
    outside_catalogue: tuple[str, ...]
    persons: Sequence[PersonRef]


@dataclass(frozen=True)
class FeeLineSpec:
    code: str
    cnt: str
    pric: int

    def amount(self) -> int:
        return int((Decimal(self.cnt) * self.pric).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass(frozen=True)
class Op:
    """One operation of the traffic: its sequence number, kind, pair, institution, person and
    fee lines (for a revocation the lines are those of the fallback visit, if one is needed)."""

    seq: int
    kind: str
    treat: str
    insured: str
    institution: InstitutionRef
    person: PersonRef
    lines: tuple[FeeLineSpec, ...]

    @property
    def pair(self) -> str:
        return f"{self.treat}->{self.insured}"

    @property
    def medfee_sumamt(self) -> int:
        return sum(x.amount() for x in self.lines)


class TrafficModel:
    """Draws operations for a network of ``provinces`` under ``cfg``."""

    def __init__(self, cfg: ModelConfig, provinces: Mapping[str, ProvinceView]) -> None:
        self.cfg = cfg
        self.provinces = dict(provinces)
        codes = sorted(c for c, p in self.provinces.items() if p.persons)
        if len(codes) < 2:
            raise ModelError(
                "the network needs at least two provinces with persons for cross-province traffic"
            )
        self.pairs, self.pair_weights = self._pair_table(codes)
        if not self.pairs:
            raise ModelError("no province pair has a positive weight in this network")
        self._pair_cum = _cumulative(self.pair_weights)
        self.kinds = [k for k in KINDS if cfg.mix.get(k, 0) > 0]
        self._kind_cum = _cumulative([cfg.mix[k] for k in self.kinds])
        self.filed: dict[tuple[str, str], list[PersonRef]] = {}
        for code, view in self.provinces.items():
            for person in view.persons:
                if person.filed_for:
                    self.filed.setdefault((code, person.filed_for), []).append(person)
        self.ignored = sorted(
            {c for c in cfg.treatment_weights if c != "default" and c not in self.provinces}
            | {c for c in cfg.insured_weights if c != "default" and c not in self.provinces}
        )

    def _pair_table(self, codes: list[str]) -> tuple[list[tuple[str, str]], list[float]]:
        cfg = self.cfg
        pairs: list[tuple[str, str]] = []
        weights: list[float] = []
        if cfg.pair_weights:
            for t, i, w in cfg.pair_weights:
                if t in codes and i in codes and t != i and w > 0:
                    pairs.append((t, i))
                    weights.append(w)
            return pairs, weights
        for t in codes:
            if not any(inst for inst in self.provinces[t].institutions):
                continue
            for i in codes:
                if t == i:
                    continue
                if cfg.pairs == "uniform":
                    w = 1.0
                else:
                    w = cfg.treatment_weights.get(
                        t, cfg.treatment_weights.get("default", 0)
                    ) * cfg.insured_weights.get(i, cfg.insured_weights.get("default", 0))
                if w > 0:
                    pairs.append((t, i))
                    weights.append(w)
        return pairs, weights

    def pair_shares(self) -> dict[str, float]:
        total = sum(self.pair_weights)
        return {
            f"{t}->{i}": round(w / total, 4)
            for (t, i), w in zip(self.pairs, self.pair_weights, strict=True)
        }

    def ops(self, start: int = 0) -> Iterator[Op]:
        """The operations from sequence number ``start`` on, forever (the caller stops)."""
        rng = random.Random(f"settlenet-loadtest-{self.cfg.seed}")
        seq = 0
        while True:
            op = self._draw(rng, seq)
            if seq >= start:
                yield op
            seq += 1

    def _draw(self, rng: random.Random, seq: int) -> Op:
        kind = self.kinds[_pick(self._kind_cum, rng.random())]
        treat, insured = self.pairs[_pick(self._pair_cum, rng.random())]
        t, i = self.provinces[treat], self.provinces[insured]
        inst = t.institutions[rng.randrange(len(t.institutions))]
        filed = self.filed.get((insured, treat))
        u = rng.random()
        if filed and u < self.cfg.filed_share:
            person = filed[rng.randrange(len(filed))]
        else:
            person = i.persons[rng.randrange(len(i.persons))]
        return Op(seq, kind, treat, insured, inst, person, self._lines(rng, t))

    def _lines(self, rng: random.Random, t: ProvinceView) -> tuple[FeeLineSpec, ...]:
        cfg = self.cfg
        # Outpatient prescriptions are short with a long tail: log-normal around the median.
        n = int(round(rng.lognormvariate(math.log(cfg.fee_lines_median), 0.5)))
        n = max(1, min(cfg.fee_lines_max, n))
        lines = []
        for _ in range(n):
            if t.outside_catalogue and rng.random() < 0.03:
                lines.append(
                    FeeLineSpec(rng.choice(t.outside_catalogue), "1", rng.randint(500, 5000))
                )
                continue
            item = t.catalogue[rng.randrange(len(t.catalogue))]
            if item.cap_fen:
                # Mostly within the cap; now and then above it (over-limit self-pay).
                pric = rng.randint(item.cap_fen // 2, item.cap_fen * 21 // 20)
            else:
                pric = rng.randint(200, 20000)
            lines.append(FeeLineSpec(item.code, str(rng.choice((1, 1, 1, 2, 2, 3))), pric))
        return tuple(lines)


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = sum(weights)
    out, acc = [], 0.0
    for w in weights:
        acc += w / total
        out.append(acc)
    out[-1] = 1.0
    return out


def _pick(cum: list[float], u: float) -> int:
    return min(bisect.bisect_right(cum, u), len(cum) - 1)
