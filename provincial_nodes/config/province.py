"""``province.yaml``: the province's identity, its regions and its designated institutions."""

from __future__ import annotations

from pathlib import Path

from provincial_nodes.config.reader import Reader, region_code
from provincial_nodes.domain.institution import Institution
from provincial_nodes.domain.policy import LEVELS
from services.rpc.envelope import FIXMEDINS_RE


def load_province_file(
    path: Path,
) -> tuple[str, str, str, str, dict[str, str], dict[str, Institution]]:
    r = Reader.of_file(path)
    top = r.mapping(
        r.root,
        "",
        {"code", "name", "name_en", "admdvs", "regions", "institutions"},
        {"code", "name", "admdvs", "regions", "institutions"},
    )
    code = r.text(top, "code", "")
    if not (len(code) == 2 and code.isdigit()):
        raise r.fail("code", f"must be a 2-digit province code, got {code!r}")
    admdvs = region_code(r, r.text(top, "admdvs", ""), "admdvs")
    regions: dict[str, str] = {}
    for i, item in enumerate(r.items(top["regions"], "regions")):
        key = f"regions[{i}]"
        m = r.mapping(item, key, {"admdvs", "name"}, {"admdvs", "name"})
        region = region_code(r, r.text(m, "admdvs", key), f"{key}.admdvs")
        if region[:2] != code:
            raise r.fail(f"{key}.admdvs", f"{region} is not in province {code}")
        regions[region] = r.text(m, "name", key)
    institutions: dict[str, Institution] = {}
    for i, item in enumerate(r.items(top["institutions"], "institutions")):
        key = f"institutions[{i}]"
        m = r.mapping(
            item,
            key,
            {"fixmedins_code", "fixmedins_name", "medins_lv", "admdvs", "cross_province"},
            {"fixmedins_code", "fixmedins_name", "medins_lv", "admdvs"},
        )
        fcode = r.text(m, "fixmedins_code", key)
        if not FIXMEDINS_RE.match(fcode):
            raise r.fail(f"{key}.fixmedins_code", f"must look like H11010500001, got {fcode!r}")
        if fcode in institutions:
            raise r.fail(f"{key}.fixmedins_code", f"duplicate code {fcode}")
        level = r.text(m, "medins_lv", key)
        if level not in LEVELS:
            raise r.fail(f"{key}.medins_lv", f"must be one of {LEVELS}, got {level!r}")
        institutions[fcode] = Institution(
            fixmedins_code=fcode,
            fixmedins_name=r.text(m, "fixmedins_name", key),
            medins_lv=level,
            admdvs=region_code(r, r.text(m, "admdvs", key), f"{key}.admdvs"),
            cross_province=m.get("cross_province", True) is True,
        )
    return (
        code,
        r.text(top, "name", ""),
        r.text(top, "name_en", "", default=""),
        admdvs,
        regions,
        institutions,
    )
