"""The web view's pure parts: the rolling window's rates, p99 and counters; the one-time token."""

from __future__ import annotations

from national_hub.domain.live import RATE_S, Seen, Window, p99
from national_hub.entrypoints.web.access import OPERATOR, SESSION_S, Access, session_key
from national_hub.entrypoints.web.present import mask_psn_no, mask_text, masked


def test_p99_is_the_nearest_rank() -> None:
    assert p99([]) == 0
    assert p99([5]) == 5
    assert p99(list(range(1, 101))) == 99
    assert p99(list(range(1, 1001))) == 990


def test_the_window_counts_pairs_rates_and_errors_and_forgets_old_lines() -> None:
    w = Window(window_s=60)
    for i in range(20):
        w.add(Seen(100.0 + i * 0.1, "2207", "11", "13", True, 10 + i))
    w.add(Seen(101.0, "2208", "11", "13", True, 5))
    w.add(Seen(101.0, "2207", "44", "13", False, 900))
    pairs = {(p.treatment, p.insured): p for p in w.pairs(102.0)}
    assert pairs[("11", "13")].settlements == 20
    assert pairs[("11", "13")].settlements_per_s == 20 / RATE_S
    assert pairs[("11", "13")].messages == 21
    assert pairs[("44", "13")].errors == 1 and pairs[("44", "13")].p99_ms == 900
    c = w.counters
    assert (c.routed, c.settled, c.revoked, c.errors) == (22, 20, 1, 1)
    later = {(p.treatment, p.insured): p for p in w.pairs(100.0 + RATE_S + 5)}
    assert later[("11", "13")].settlements_per_s == 0  # out of the rate's seconds
    assert later[("11", "13")].settlements == 20  # still in the window
    assert w.pairs(1000.0) == []  # out of the window
    assert w.counters.settled == 20  # counters stay


def test_the_token_opens_one_signed_session_once() -> None:
    a = Access(secure=True, key=session_key(b"the hub's key"))
    assert a.exchange("wrong", 1000.0) is None
    cookie = a.exchange(a.token, 1000.0)
    assert cookie is not None and a.who(cookie, None, 1000.0) == "session"
    assert a.exchange(a.token, 1000.0) is None  # spent
    # Another process (or a restart) of the same hub accepts it; another hub does not.
    assert Access(secure=True, key=session_key(b"the hub's key")).who(cookie, None, 1000.0)
    assert Access(secure=True).who(cookie, None, 1000.0) is None
    assert a.who(cookie, None, 1000.0 + SESSION_S + 1) is None  # expired
    expires, nonce, sig = cookie.split(".")
    assert a.who(f"{int(expires) + 9999}.{nonce}.{sig}", None, 1000.0) is None  # tampered
    assert a.who("forged", None, 1000.0) is None and a.who(None, None, 1000.0) is None
    assert a.who(None, OPERATOR, 1000.0) == OPERATOR
    assert a.who(None, "province-13", 1000.0) is None
    assert Access(secure=False).who(None, OPERATOR, 1000.0) is None  # no TLS, no certificate


def test_personal_fields_are_masked_at_any_depth() -> None:
    doc = {
        "a": [
            {"psn_no": "13010000000000000002", "psn_name": "张三丰", "certno": "110101199003071234"}
        ]
    }
    assert masked(doc) == {
        "a": [
            {"psn_no": "1301**************02", "psn_name": "张**", "certno": "110101********1234"}
        ]
    }
    assert mask_psn_no("123") == "***"


def test_an_error_message_shows_its_psn_no_masked() -> None:
    text = "psn_no='44010000000000002314': no valid filing for this place"
    assert mask_text(text) == "psn_no='4401**************14': no valid filing for this place"
