"""What in a value is personal — a person's name, an ID number — and its masked form, for
errors and logs alike (pure: the error tree uses it, so no error ever carries a name in clear;
``services.logs.masking`` applies it to log lines)."""

from __future__ import annotations

NAME_KEYS = frozenset({"psn_name", "opter_name", "dr_name", "chfpdr_name", "atddr_name"})
"""Fields that hold a person's name (the national spec's names for them)."""
CERTNO_KEYS = frozenset({"certno", "mdtrt_cert_no"})


def mask_certno(value: str) -> str:
    """``110101199003071234`` → ``110101********1234``: region and check kept, birth hidden."""
    if len(value) >= 10:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    return "*" * len(value)


def mask_name(value: str) -> str:
    """``张三丰`` → ``张**``: only the family name's first character is kept."""
    return value[:1] + "*" * (len(value) - 1) if value else value


def mask_value(field: str, value: object) -> object:
    """``value`` as an error or a log may carry it when it is the value of ``field`` (a path
    such as ``yaml.persons[0].psn_name``): a name or an ID number masked, anything else as is."""
    last = field.rsplit(".", 1)[-1]
    if isinstance(value, str) and last in NAME_KEYS:
        return mask_name(value)
    if isinstance(value, str) and last in CERTNO_KEYS:
        return mask_certno(value)
    return value
