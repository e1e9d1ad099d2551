"""就医地目录: each line split into full self-pay, over cap, pre-self-pay and in scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from provincial_nodes.domain.catalogue import (
    Catalogue,
    CatalogueEntry,
    FeeLine,
    Level,
    ListType,
    Reason,
    Restriction,
    VisitContext,
    classify_line,
)

DAY = date(2026, 10, 15)


def entry(
    level: Level = Level.A,
    prop: int = 0,
    cap: int = 0,
    restriction: Restriction | None = None,
    **kw: object,
) -> CatalogueEntry:
    return CatalogueEntry(
        "C1", "item", ListType.SERVICE_ITEM, level, "05", prop, cap, restriction, **kw
    )  # type: ignore[arg-type]


def line(cnt: str = "2", pric: int = 1000, total: int | None = None) -> FeeLine:
    amount = total if total is not None else int(Decimal(cnt) * pric)
    return FeeLine("1", "C1", Decimal(cnt), pric, amount, DAY)


CTX = VisitContext(medins_lv="3", diag_codes=("E11.900",))


def parts(c) -> tuple[int, int, int, int]:
    return c.fulamt_ownpay_amt, c.overlmt_amt, c.preselfpay_amt, c.inscp_scp_amt


@pytest.mark.parametrize(
    ("e", "ln", "expected", "reasons"),
    [
        pytest.param(entry(), line(), (0, 0, 0, 2000), (), id="class-a-all-in-scope"),
        pytest.param(
            entry(Level.B, 1000),
            line(),
            (0, 0, 200, 1800),
            (Reason.CLASS_B_PRESELFPAY,),
            id="class-b-10-percent",
        ),
        pytest.param(entry(Level.C), line(), (2000, 0, 0, 0), (Reason.CLASS_C,), id="class-c"),
        pytest.param(
            entry(cap=800), line(), (0, 400, 0, 1600), (Reason.OVER_PRICE_CAP,), id="price-cap"
        ),
        pytest.param(
            entry(Level.B, 1000, cap=800),
            line(),
            (0, 400, 160, 1440),
            (Reason.OVER_PRICE_CAP, Reason.CLASS_B_PRESELFPAY),
            id="class-b-ratio-applies-to-in-cap-amount",
        ),
        pytest.param(
            entry(restriction=Restriction(diagnoses=("N18",))),
            line(),
            (2000, 0, 0, 0),
            (Reason.RESTRICTION_DIAGNOSIS,),
            id="restricted-diagnosis-not-met",
        ),
        pytest.param(
            entry(restriction=Restriction(diagnoses=("E11",))),
            line(),
            (0, 0, 0, 2000),
            (),
            id="restricted-diagnosis-met",
        ),
        pytest.param(
            entry(restriction=Restriction(min_medins_lv="3")),
            line(),
            (0, 0, 0, 2000),
            (),
            id="restricted-level-met",
        ),
        pytest.param(
            entry(restriction=Restriction(max_cnt_per_visit=Decimal(1))),
            line(),
            (1000, 0, 0, 1000),
            (Reason.RESTRICTION_QUANTITY,),
            id="quantity-above-limit-is-full-self-pay",
        ),
        pytest.param(
            entry(Level.B, 1000),
            line("1", 455),
            (0, 0, 46, 409),
            (Reason.CLASS_B_PRESELFPAY,),
            id="rounding-half-up",
        ),
    ],
)
def test_classification(e, ln, expected, reasons) -> None:
    c = classify_line(e, ln, CTX)
    assert parts(c) == expected
    assert c.reasons == reasons
    assert sum(parts(c)) == ln.det_item_fee_sumamt
    assert bool(c.memo) == bool(reasons)


def test_unknown_code_is_full_self_pay() -> None:
    c = classify_line(None, line(), CTX, code_known=False)
    assert parts(c) == (2000, 0, 0, 0) and c.reasons == (Reason.NOT_IN_CATALOGUE,)


def test_level_restriction_at_a_primary_institution() -> None:
    c = classify_line(
        entry(restriction=Restriction(min_medins_lv="2")), line(), VisitContext(medins_lv="1")
    )
    assert c.reasons == (Reason.RESTRICTION_MEDINS_LEVEL,) and c.fulamt_ownpay_amt == 2000


def test_catalogue_version_in_force_on_the_fee_date() -> None:
    old = entry(Level.B, 1000, valid_from=date(2020, 1, 1), valid_to=date(2025, 12, 31))
    new = entry(Level.B, 500, valid_from=date(2026, 1, 1))
    cat = Catalogue([old, new])
    assert cat.entry_on("C1", date(2025, 6, 1)).selfpay_prop_bp == 1000
    assert cat.entry_on("C1", date(2026, 6, 1)).selfpay_prop_bp == 500
    assert cat.entry_on("C1", date(2019, 6, 1)) is None
