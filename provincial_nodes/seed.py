"""The default network's data, and a seeded generator for larger populations.

``write_default_data(folder)`` (run by ``python -m provincial_nodes.seed [FOLDER]``) writes the
YAML files under ``provincial_nodes/data/provinces/<code>/`` (or ``FOLDER/<code>/``) — readable and editable by hand afterwards;
``population(province, n, seed)`` makes ``n`` extra insured persons deterministically (for load
tests), without files.

Catalogue codes imitate the national formats: drugs ``X``/``Z`` + 22 characters, service items
15 digits, consumables ``C`` + 19 digits. Prices, classes and caps vary by province on purpose:
the place of treatment decides the payment scope (就医地目录).
"""

from __future__ import annotations

import copy
import hashlib
import os
import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from services.values import certno

DATA = Path(__file__).parent / "data" / "provinces"

# name, list_type, med_chrgitm_type, price fen, class, selfpay %, restriction, flags
_ITEMS: list[tuple[str, str, str, int, str, int, dict[str, Any], str]] = [
    ("二甲双胍片 0.5g×20", "101", "09", 1260, "A", 0, {}, "essential"),
    ("格列美脲片 2mg×30", "101", "09", 2880, "A", 0, {}, ""),
    ("阿卡波糖片 50mg×30", "101", "09", 3960, "B", 10, {}, ""),
    ("西格列汀片 100mg×14", "101", "09", 6120, "B", 5, {}, "negotiated"),
    (
        "甘精胰岛素注射液 300单位",
        "101",
        "09",
        7800,
        "B",
        10,
        {"diagnoses": ["E10", "E11", "E12", "E13", "E14"], "memo": "限糖尿病"},
        "",
    ),
    ("苯磺酸氨氯地平片 5mg×28", "101", "09", 1540, "A", 0, {}, "essential"),
    ("硝苯地平控释片 30mg×12", "101", "09", 3350, "B", 5, {}, ""),
    ("缬沙坦胶囊 80mg×28", "101", "09", 2240, "A", 0, {}, ""),
    ("厄贝沙坦片 150mg×28", "101", "09", 1980, "A", 0, {}, ""),
    ("琥珀酸美托洛尔缓释片 47.5mg×28", "101", "09", 3120, "B", 10, {}, ""),
    ("阿托伐他汀钙片 20mg×28", "101", "09", 2660, "A", 0, {}, "essential"),
    ("瑞舒伐他汀钙片 10mg×28", "101", "09", 3010, "B", 5, {}, ""),
    ("阿司匹林肠溶片 100mg×30", "101", "09", 1580, "A", 0, {}, "essential"),
    (
        "硫酸氢氯吡格雷片 75mg×7",
        "101",
        "09",
        2350,
        "B",
        10,
        {"diagnoses": ["I20", "I21", "I25", "I63"], "memo": "限冠心病、缺血性脑卒中"},
        "",
    ),
    ("阿莫西林胶囊 0.25g×24", "101", "09", 860, "A", 0, {}, "essential"),
    ("头孢呋辛酯片 0.25g×12", "101", "09", 2460, "B", 10, {}, ""),
    (
        "左氧氟沙星片 0.5g×6",
        "101",
        "09",
        2190,
        "B",
        10,
        {"min_medins_lv": "2", "memo": "限二级及以上医疗机构"},
        "",
    ),
    ("奥美拉唑肠溶胶囊 20mg×14", "101", "09", 1320, "A", 0, {}, "essential"),
    ("雷贝拉唑钠肠溶片 10mg×14", "101", "09", 4200, "B", 10, {}, ""),
    ("布洛芬缓释胶囊 0.3g×20", "101", "09", 1150, "A", 0, {}, ""),
    ("对乙酰氨基酚片 0.5g×12", "101", "09", 420, "A", 0, {}, "essential"),
    ("孟鲁司特钠片 10mg×5", "101", "09", 3890, "B", 10, {}, ""),
    (
        "他克莫司胶囊 1mg×50",
        "101",
        "09",
        58000,
        "B",
        5,
        {"diagnoses": ["Z94"], "memo": "限器官移植术后"},
        "",
    ),
    (
        "吗替麦考酚酯胶囊 0.25g×40",
        "101",
        "09",
        26800,
        "B",
        10,
        {"diagnoses": ["Z94"], "memo": "限器官移植术后"},
        "",
    ),
    (
        "重组人促红素注射液 3000IU",
        "101",
        "09",
        4500,
        "B",
        10,
        {"diagnoses": ["N18"], "memo": "限肾性贫血"},
        "",
    ),
    (
        "卡培他滨片 0.5g×12",
        "101",
        "09",
        21600,
        "B",
        10,
        {"diagnoses": ["C"], "memo": "限恶性肿瘤"},
        "",
    ),
    (
        "甲磺酸奥希替尼片 80mg×30",
        "101",
        "09",
        490000,
        "B",
        20,
        {"diagnoses": ["C34"], "memo": "限EGFR突变非小细胞肺癌"},
        "negotiated",
    ),
    ("维生素C片 100mg×100", "101", "09", 350, "C", 0, {}, ""),
    ("复合维生素B片 ×100", "101", "09", 520, "C", 0, {}, ""),
    ("复方丹参滴丸 27mg×180", "102", "11", 2980, "A", 0, {}, "essential"),
    ("连花清瘟胶囊 0.35g×24", "102", "11", 1460, "B", 10, {}, ""),
    ("六味地黄丸 200丸", "102", "11", 1860, "A", 0, {}, "essential"),
    ("银杏叶片 9.6mg×24", "102", "11", 2270, "B", 10, {}, ""),
    ("安宫牛黄丸 3g×1", "102", "11", 78000, "C", 0, {}, ""),
    ("黄芪饮片 10g", "103", "10", 120, "A", 0, {}, ""),
    ("人参饮片 5g", "103", "10", 2400, "C", 0, {}, ""),
    ("普通门诊诊查费", "201", "02", 2500, "A", 0, {}, ""),
    ("副主任医师门诊诊查费", "201", "02", 6000, "A", 0, {}, ""),
    ("血常规（五分类）", "201", "04", 2000, "A", 0, {}, ""),
    ("尿常规", "201", "04", 1200, "A", 0, {}, ""),
    ("肝功能（八项）", "201", "04", 5600, "A", 0, {}, ""),
    ("糖化血红蛋白测定", "201", "04", 6000, "A", 0, {}, ""),
    ("血糖测定（静脉）", "201", "04", 600, "A", 0, {}, ""),
    ("血脂四项", "201", "04", 3600, "A", 0, {}, ""),
    ("常规心电图", "201", "03", 2500, "A", 0, {}, ""),
    ("胸部X线摄影", "201", "03", 6000, "A", 0, {}, ""),
    ("CT平扫（每部位）", "201", "03", 24000, "B", 10, {}, ""),
    (
        "磁共振平扫（每部位）",
        "201",
        "03",
        52000,
        "B",
        20,
        {"min_medins_lv": "2", "memo": "限二级及以上医疗机构"},
        "",
    ),
    ("彩色多普勒超声", "201", "03", 16000, "B", 10, {}, ""),
    ("电子胃镜检查", "201", "03", 28000, "B", 10, {}, ""),
    ("血液透析", "201", "05", 42000, "A", 0, {"diagnoses": ["N18"], "memo": "限尿毒症透析"}, ""),
    ("静脉输液（第一组）", "201", "05", 1200, "A", 0, {}, ""),
    ("肌肉注射", "201", "05", 400, "A", 0, {}, ""),
    ("雾化吸入", "201", "05", 1500, "A", 0, {}, ""),
    ("普通针刺", "201", "05", 3000, "B", 10, {}, ""),
    (
        "推拿治疗",
        "201",
        "05",
        4500,
        "B",
        10,
        {"max_cnt_per_visit": "2", "memo": "每次就诊限2次"},
        "",
    ),
    ("中医辨证论治", "201", "02", 1500, "A", 0, {}, ""),
    ("PET-CT检查", "201", "03", 780000, "C", 0, {}, ""),
    ("健康体检", "201", "14", 30000, "C", 0, {}, ""),
    ("医疗美容注射", "201", "05", 150000, "C", 0, {}, ""),
    ("一次性使用输液器", "301", "08", 350, "A", 0, {}, ""),
    ("一次性使用无菌注射器", "301", "08", 80, "A", 0, {}, ""),
    ("医用脱脂纱布", "301", "08", 260, "A", 0, {}, ""),
    (
        "血糖试纸 ×50",
        "301",
        "08",
        9800,
        "B",
        20,
        {"max_cnt_per_visit": "2", "memo": "每次就诊限2盒"},
        "",
    ),
    ("胰岛素笔用针头 ×7", "301", "08", 1400, "B", 10, {}, ""),
    ("医用弹力绷带", "301", "08", 1800, "B", 10, {}, ""),
    ("一次性使用静脉留置针", "301", "08", 1200, "A", 0, {}, ""),
    ("造口袋", "301", "08", 3500, "B", 10, {}, ""),
]


@dataclass(frozen=True)
class ProvinceSeed:
    code: str
    name: str
    name_en: str
    region: str
    region_name: str
    districts: tuple[str, ...]
    price_factor: int  # percent of the base price this province charges and caps at


PROVINCES = (
    ProvinceSeed("11", "北京市", "Beijing", "110000", "北京市", ("110101", "110105"), 115),
    ProvinceSeed("13", "河北省", "Hebei", "130100", "石家庄市", ("130102", "130104"), 90),
    ProvinceSeed("44", "广东省", "Guangdong", "440100", "广州市", ("440103", "440106"), 105),
    ProvinceSeed("51", "四川省", "Sichuan", "510100", "成都市", ("510104", "510107"), 95),
)

# The other 28 province-level units of the national network (31 provinces + the Xinjiang
# Production and Construction Corps). Their data is *synthetic*: a template province's
# catalogue and policy under their own codes, for load tests of the 32-node topology only.
# code, name, name_en, capital admdvs, capital, districts, template province
_SYNTHETIC = [
    ("12", "天津市", "Tianjin", "120000", "天津市", ("120101", "120102"), "11"),
    ("14", "山西省", "Shanxi", "140100", "太原市", ("140105", "140106"), "13"),
    ("15", "内蒙古自治区", "Inner Mongolia", "150100", "呼和浩特市", ("150102", "150103"), "13"),
    ("21", "辽宁省", "Liaoning", "210100", "沈阳市", ("210102", "210103"), "13"),
    ("22", "吉林省", "Jilin", "220100", "长春市", ("220102", "220103"), "13"),
    ("23", "黑龙江省", "Heilongjiang", "230100", "哈尔滨市", ("230102", "230103"), "13"),
    ("31", "上海市", "Shanghai", "310000", "上海市", ("310101", "310104"), "11"),
    ("32", "江苏省", "Jiangsu", "320100", "南京市", ("320102", "320104"), "44"),
    ("33", "浙江省", "Zhejiang", "330100", "杭州市", ("330102", "330105"), "44"),
    ("34", "安徽省", "Anhui", "340100", "合肥市", ("340102", "340103"), "13"),
    ("35", "福建省", "Fujian", "350100", "福州市", ("350102", "350103"), "44"),
    ("36", "江西省", "Jiangxi", "360100", "南昌市", ("360102", "360103"), "13"),
    ("37", "山东省", "Shandong", "370100", "济南市", ("370102", "370103"), "44"),
    ("41", "河南省", "Henan", "410100", "郑州市", ("410102", "410103"), "13"),
    ("42", "湖北省", "Hubei", "420100", "武汉市", ("420102", "420103"), "13"),
    ("43", "湖南省", "Hunan", "430100", "长沙市", ("430102", "430103"), "13"),
    ("45", "广西壮族自治区", "Guangxi", "450100", "南宁市", ("450102", "450103"), "44"),
    ("46", "海南省", "Hainan", "460100", "海口市", ("460105", "460106"), "44"),
    ("50", "重庆市", "Chongqing", "500000", "重庆市", ("500101", "500102"), "51"),
    ("52", "贵州省", "Guizhou", "520100", "贵阳市", ("520102", "520103"), "51"),
    ("53", "云南省", "Yunnan", "530100", "昆明市", ("530102", "530103"), "51"),
    ("54", "西藏自治区", "Tibet", "540100", "拉萨市", ("540102", "540103"), "51"),
    ("61", "陕西省", "Shaanxi", "610100", "西安市", ("610102", "610103"), "51"),
    ("62", "甘肃省", "Gansu", "620100", "兰州市", ("620102", "620103"), "51"),
    ("63", "青海省", "Qinghai", "630100", "西宁市", ("630102", "630103"), "51"),
    ("64", "宁夏回族自治区", "Ningxia", "640100", "银川市", ("640104", "640105"), "51"),
    ("65", "新疆维吾尔自治区", "Xinjiang", "650100", "乌鲁木齐市", ("650102", "650103"), "51"),
    (
        "66",
        "新疆生产建设兵团",
        "Xinjiang Production and Construction Corps",
        "660000",
        "兵团",
        ("659001", "659002"),
        "51",
    ),
]
_TEMPLATE = {code: template for code, *_, template in _SYNTHETIC}
SYNTHETIC_CODES = tuple(code for code, *_ in _SYNTHETIC)
NATIONAL_CODES = tuple(sorted({p.code for p in PROVINCES} | set(SYNTHETIC_CODES)))
"""The 32 province-level codes of the national network."""
_BY_CODE = {p.code: p for p in PROVINCES} | {
    code: ProvinceSeed(
        code,
        name,
        name_en,
        region,
        region_name,
        districts,
        next(t.price_factor for t in PROVINCES if t.code == template),
    )
    for code, name, name_en, region, region_name, districts, template in _SYNTHETIC
}

_HOSPITALS = {
    "11": [
        ("北京协和医院", "3"),
        ("北京市朝阳区第二医院", "2"),
        ("北京市东城区社区卫生服务中心", "1"),
        ("北京某民营诊所", "1"),
    ],
    "13": [
        ("河北医科大学第二医院", "3"),
        ("石家庄市第三医院", "2"),
        ("石家庄市长安区社区卫生服务中心", "1"),
        ("石家庄某民营门诊部", "1"),
    ],
    "44": [
        ("中山大学附属第一医院", "3"),
        ("广州市荔湾区人民医院", "2"),
        ("广州市天河区社区卫生服务中心", "1"),
        ("广州某民营门诊部", "1"),
    ],
    "51": [
        ("四川大学华西医院", "3"),
        ("成都市第五人民医院", "2"),
        ("成都市武侯区社区卫生服务中心", "1"),
        ("成都某民营诊所", "1"),
    ],
}

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅志文斌鹏飞海燕雪梅春"


def _codes() -> Iterator[str]:
    for i, (_, list_type, ctype, *_rest) in enumerate(_ITEMS, start=1):
        if list_type.startswith("10"):
            prefix = "X" if list_type == "101" else "Z"
            yield f"{prefix}A{ctype}{i:03d}A001010100{i:05d}"[:23]
        elif list_type == "201":
            yield f"00{ctype}{i:03d}0000{i:04d}"[:15]
        else:
            yield f"C{ctype}{i:03d}01001{i:08d}"[:20]


CODES = list(_codes())
OUTSIDE_CATALOGUE_CODE = "XZ99ZZZ999A999999999999"


def _catalogue(p: ProvinceSeed) -> list[dict[str, Any]]:
    rng = random.Random(f"catalogue-{p.code}")
    entries: list[dict[str, Any]] = []
    for code, (name, list_type, ctype, price, cls, prop, restriction, flags) in zip(
        CODES, _ITEMS, strict=True
    ):
        entry: dict[str, Any] = {
            "med_list_codg": code,
            "name": name,
            "list_type": list_type,
            "chrgitm_lv": {"A": "01", "B": "02", "C": "03"}[cls],
            "med_chrgitm_type": ctype,
        }
        # Provinces differ: acupuncture is class A in Sichuan; Beijing's class-B ratio is 10% flat.
        if p.code == "51" and name == "普通针刺":
            entry["chrgitm_lv"], prop = "01", 0
        if p.code == "11" and cls == "B":
            prop = 10
        if entry["chrgitm_lv"] == "02":
            entry["selfpay_prop"] = f"0.{prop:02d}"
        if list_type in ("201", "301") and cls != "C" and rng.random() < 0.35:
            entry["pric_uplmt_amt"] = price * p.price_factor // 100
        if restriction:
            entry["restriction"] = restriction
        if "negotiated" in flags:
            entry["negotiated"] = True
        if "essential" in flags:
            entry["essential"] = True
        entry["valid_from"] = date(2020, 1, 1)
        entries.append(entry)
    # An effective-dated change: from 2026-01-01 the CT scan's pre-self-pay ratio drops to 5%.
    ct = next(e for e in entries if e["name"].startswith("CT平扫"))
    if ct["chrgitm_lv"] == "02":
        newer = dict(ct, selfpay_prop="0.05", valid_from=date(2026, 1, 1))
        ct["valid_to"] = date(2025, 12, 31)
        entries.append(newer)
    return entries


def province_codes(text: str) -> list[str]:
    """``"11,13,44,51"`` → those codes; ``"all"`` → the 32 of the national network."""
    if text.strip() == "all":
        return list(NATIONAL_CODES)
    codes = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in codes if c not in _BY_CODE]
    if unknown or not codes:
        raise ValueError(
            f"unknown province code(s) {', '.join(unknown) or '(none given)'}; "
            f"known: {', '.join(NATIONAL_CODES)} or 'all'"
        )
    return codes


def _hospitals(p: ProvinceSeed) -> list[tuple[str, str]]:
    if p.code in _HOSPITALS:
        return _HOSPITALS[p.code]
    city = p.region_name
    return [
        (f"{p.name}人民医院", "3"),
        (f"{city}第二人民医院", "2"),
        (f"{city}社区卫生服务中心", "1"),
        (f"{city}某民营诊所", "1"),
    ]


def _institutions(p: ProvinceSeed) -> list[dict[str, Any]]:
    out = []
    for i, (name, level) in enumerate(_hospitals(p), start=1):
        district = p.districts[(i - 1) % len(p.districts)]
        out.append(
            {
                "fixmedins_code": f"H{district}{i:05d}",
                "fixmedins_name": name,
                "medins_lv": level,
                "admdvs": p.region,
                # The private clinic is designated locally but not open for cross-province settlement.
                "cross_province": i != 4,
            }
        )
    return out


ASSISTED_IDET_TYPE = "2301"
"""psn_idet_type of a medical-assistance beneficiary in the default data (illustrative)."""

_NOTICE = "医保发〔2022〕22号"
_TEN_TWENTY = "−10 referral and emergency, −20 other"
_FIVE_TWENTY = "−5 referral and emergency, −20 other"
_TEN = "−10 for every temporary visit"


def _filing(
    referral: str, emergency: str, other: str, *, example: str, unfiled: str = "reduce"
) -> dict[str, Any]:
    """A ``filing:`` block: temporary reductions (within the notice's ceilings 10 / 10 / 20
    points) in one of the local forms DOMAIN.md lists, and the region's own rule for unfiled
    visits (reduce: −10 referral, −20 other, as before temporary filings had reductions)."""
    block: dict[str, Any] = {
        "temporary_referral": referral,
        "temporary_emergency": emergency,
        "temporary_other": other,
        "unfiled": unfiled,
    }
    if unfiled == "reduce":
        block |= {"unfiled_referral": "0.10", "unfiled_other": "0.20"}
    block["source"] = f"{_NOTICE} ceilings; (inferred) local form {example}; unfiled: " + (
        "−10 referral, −20 other (inferred)" if unfiled == "reduce" else "refused (inferred)"
    )
    return block


_POLICY: dict[str, list[dict[str, Any]]] = {
    "110000": [
        {
            "insutype": "310",
            "med_type": "11",
            "periods": [
                {
                    "valid_from": date(2024, 1, 1),
                    "source": "京医保发〔2023〕 employee outpatient (simplified: one deductible)",
                    "deductible_fen_annual": 180000,
                    "ratio_by_level": {"1": "0.90", "2": "0.70", "3": "0.70"},
                    "retired_tilt": "0.15",
                    "cap_fen_annual": 2000000,
                    "account_pays_fulamt": True,
                    "filing": _filing("0.10", "0.10", "0.10", example=_TEN),
                }
            ],
        },
        {
            "insutype": "390",
            "med_type": "11",
            "periods": [
                {
                    "valid_from": date(2024, 1, 1),
                    "source": "北京城乡居民门诊 (inferred figures)",
                    "deductible_fen_annual": 10000,
                    "ratio_by_level": {"1": "0.55", "2": "0.50", "3": "0.50"},
                    "cap_fen_annual": 450000,
                    "filing": _filing("0.10", "0.10", "0.10", example=_TEN),
                }
            ],
        },
    ],
    "130100": [
        {
            "insutype": "310",
            "med_type": "11",
            "periods": [
                {
                    "valid_from": date(2024, 1, 1),
                    "valid_to": date(2025, 12, 31),
                    "source": "石家庄职工门诊统筹 (inferred figures)",
                    "deductible_fen_annual": 20000,
                    "ratio_by_level": {"1": "0.70", "2": "0.65", "3": "0.60"},
                    "retired_tilt": "0.05",
                    "cap_fen_annual": 400000,
                    "filing": _filing("0.10", "0.10", "0.20", example=_TEN_TWENTY),
                },
                {
                    "valid_from": date(2026, 1, 1),
                    "source": "(inferred) illustration of an effective-dated change: +5 points",
                    "deductible_fen_annual": 20000,
                    "ratio_by_level": {"1": "0.75", "2": "0.70", "3": "0.65"},
                    "retired_tilt": "0.05",
                    "cap_fen_annual": 400000,
                    "filing": _filing("0.10", "0.10", "0.20", example=_TEN_TWENTY),
                    "civil_servant": {"ratio": "0.50", "cap_fen_annual": 300000},
                },
            ],
        },
        {
            "insutype": "390",
            "med_type": "11",
            "periods": [
                {
                    "valid_from": date(2024, 1, 1),
                    "source": "石家庄城乡居民门诊统筹 (inferred figures)",
                    "ratio_by_level": {"1": "0.60", "2": "0.55", "3": "0.50"},
                    "cap_fen_annual": 80000,
                    "filing": _filing("0.05", "0.05", "0.20", example=_FIVE_TWENTY),
                    "medical_assistance": {
                        "ratio": "0.70",
                        "cap_fen_annual": 500000,
                        "idet_types": [ASSISTED_IDET_TYPE],
                    },
                }
            ],
        },
        {
            "insutype": "310",
            "med_type": "14",
            "opsp_dise_code": "M01600",
            "periods": [
                {
                    "valid_from": date(2024, 1, 1),
                    "source": "石家庄门诊慢特病 糖尿病 (inferred figures)",
                    "ratio_by_level": {"1": "0.85", "2": "0.80", "3": "0.75"},
                    "retired_tilt": "0.05",
                    "cap_fen_annual": 300000,
                }
            ],
        },
        {
            "insutype": "310",
            "med_type": "14",
            "opsp_dise_code": "M03900",
            "periods": [
                {
                    "valid_from": date(2024, 1, 1),
                    "source": "石家庄门诊慢特病 高血压 (inferred figures)",
                    "deductible_fen_annual": 10000,
                    "ratio_by_level": {"1": "0.80", "2": "0.75", "3": "0.70"},
                    "cap_fen_annual": 200000,
                }
            ],
        },
    ],
    "440100": [
        {
            "insutype": "310",
            "med_type": "11",
            "periods": [
                {
                    "valid_from": date(2024, 1, 1),
                    "source": "广州职工门诊统筹: 300 yuan per person per month (seeds)",
                    "ratio_by_level": {"1": "0.70", "2": "0.60", "3": "0.55"},
                    "retired_tilt": "0.10",
                    "cap_fen_monthly": 30000,
                    "filing": _filing(
                        "0.10", "0.10", "0.20", example=_TEN_TWENTY, unfiled="refuse"
                    ),
                }
            ],
        },
        {
            "insutype": "390",
            "med_type": "11",
            "periods": [
                {
                    "valid_from": date(2024, 1, 1),
                    "source": "广州城乡居民门诊统筹: 600 yuan per person per year (seeds)",
                    "ratio_by_level": {"1": "0.60", "2": "0.55", "3": "0.50"},
                    "cap_fen_annual": 60000,
                    "filing": _filing("0.10", "0.10", "0.20", example=_TEN_TWENTY),
                }
            ],
        },
    ],
    "510100": [
        {
            "insutype": "310",
            "med_type": "11",
            "periods": [
                {
                    "valid_from": date(2024, 1, 1),
                    "source": "成都职工门诊统筹 (inferred figures)",
                    "deductible_fen_annual": 10000,
                    "ratio_by_level": {"1": "0.70", "2": "0.60", "3": "0.50"},
                    "retired_tilt": "0.05",
                    "cap_fen_annual": 300000,
                    "mutual_aid": True,
                    "filing": _filing("0.05", "0.05", "0.20", example=_FIVE_TWENTY),
                    "segments": [
                        {
                            "from_fen": 100000,
                            "ratio_by_level": {"1": "0.75", "2": "0.65", "3": "0.55"},
                        }
                    ],
                }
            ],
        },
        {
            "insutype": "310",
            "med_type": "14",
            "opsp_dise_code": "M01600",
            "periods": [
                {
                    "valid_from": date(2024, 1, 1),
                    "source": "成都门诊慢特病 糖尿病 (inferred figures)",
                    "ratio_by_level": {"1": "0.80", "2": "0.75", "3": "0.70"},
                    "cap_fen_annual": 250000,
                }
            ],
        },
        {
            "insutype": "390",
            "med_type": "11",
            "periods": [
                {
                    "valid_from": date(2024, 1, 1),
                    "source": "成都城乡居民门诊统筹 (inferred figures)",
                    "ratio_by_level": {"1": "0.60", "2": "0.50", "3": "0.50"},
                    "cap_fen_annual": 50000,
                    "filing": _filing("0.05", "0.05", "0.20", example=_FIVE_TWENTY),
                }
            ],
        },
    ],
}

# Where each default province's filed persons go (a neighbour or a migration destination).
_DESTINATION = {"11": "130000", "13": "110000", "44": "510000", "51": "440000"}

# insutype, psn_type, account balance fen, civil servant
_PERSON_KINDS = [
    ("310", "11", 150000, "0"),
    ("310", "12", 320000, "0"),
    ("390", "15", 0, "0"),
    ("390", "16", 0, "0"),
    ("310", "11", 2000, "1"),
    ("310", "12", 80000, "0"),
]


def make_person(
    p: ProvinceSeed, n: int, rng: random.Random, kind: int | None = None
) -> dict[str, Any]:
    """The ``n``-th person of province ``p`` (deterministic for a given rng state)."""
    insutype, psn_type, balc, cvl = _PERSON_KINDS[
        kind if kind is not None else rng.randrange(len(_PERSON_KINDS))
    ]
    retired = psn_type in ("12", "16")
    birth = date(
        rng.randint(1940, 1962) if retired else rng.randint(1970, 2000),
        rng.randint(1, 12),
        rng.randint(1, 28),
    )
    female = rng.random() < 0.5
    return {
        "psn_no": f"{p.region}{n:014d}",
        "certno": certno.make(rng.choice(p.districts), birth, rng.randrange(1000), female=female),
        "psn_name": rng.choice(_SURNAMES)
        + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2))),
        "insutype": insutype,
        "psn_type": psn_type,
        "insuplc_admdvs": p.region,
        "cvlserv_flag": cvl,
        "acct_balc": balc if insutype == "310" else 0,
        "emp_name": "" if insutype == "390" else f"{p.region_name}某公司",
        "psn_insu_date": date(2010 + n % 10, 1, 1),
    }


def population(code: str, count: int, seed: int = 1, start: int = 1000) -> Iterator[dict[str, Any]]:
    """``count`` generated persons for province ``code``, numbered from ``start``. ID numbers
    are unique (among themselves and the default persons'): a drawn number that repeats one is
    redrawn in its sequence digits, deterministically."""
    p = _BY_CODE[code]
    rng = random.Random(f"population-{code}-{seed}")
    used = {m["certno"] for m in _persons(p)}
    for n in range(start, start + count):
        m = make_person(p, n, rng)
        c = first = m["certno"]
        if c in used:
            birth, female = certno.birth_date(c), int(c[16]) % 2 == 0
            seq = int(c[14:17])
            while c in used:
                seq = (seq + 2) % 1000
                c = certno.make(c[:6], birth, seq, female=female)
                if c == first:
                    raise ValueError(f"no free ID number left for {first[:14]}")
            m["certno"] = c
        used.add(c)
        yield m


def _persons(p: ProvinceSeed) -> list[dict[str, Any]]:
    """The default persons: 0 in service, 1 retiree (unfiled: the demo files them), 2 and 3
    residents, 4 a civil servant, 5 a retiree; with filings, a chronic qualification, an
    assisted identity and a mutual-aid link where the story needs them."""
    rng = random.Random(f"persons-{p.code}")
    people = [make_person(p, n, rng, kind=n - 1) for n in range(1, len(_PERSON_KINDS) + 1)]
    dest, start = _DESTINATION.get(p.code, "440000"), date(2026, 1, 1)
    people[0]["filings"] = [
        {
            "category": "stationed_worker",
            "dest_admdvs": dest,
            "begndate": start,
            "evidence": "employment_proof",
            "channel": "window",
        }
    ]
    people[3]["filings"] = [
        {
            "category": "other_temporary",
            "dest_admdvs": dest,
            "begndate": date(2026, 7, 1),
            "enddate": date(2026, 12, 31),
        }
    ]
    people[3]["identities"] = [{"psn_idet_type": ASSISTED_IDET_TYPE, "begntime": start}]
    people[4]["filings"] = [
        {"category": "long_term_resident", "dest_admdvs": dest, "begndate": start}
    ]
    people[5]["filings"] = [
        {
            "category": "retiree_relocated",
            "dest_admdvs": dest,
            "begndate": start,
            "evidence": "commitment",
        }
    ]
    people[5]["chronic"] = [
        {"opsp_dise_code": "M01600", "begndate": start, "enddate": date(2027, 12, 31)}
    ]
    # Family mutual aid: the in-service person's account may pay for the retiree (person 5).
    people[5]["mulaid_psn_no"] = people[0]["psn_no"]
    return people


def _policy(p: ProvinceSeed) -> list[dict[str, Any]]:
    if p.code not in _TEMPLATE:
        return _POLICY[p.region]
    template = _BY_CODE[_TEMPLATE[p.code]]
    schemes = copy.deepcopy(_POLICY[template.region])
    for scheme in schemes:
        for period in scheme["periods"]:
            period["source"] = (
                f"synthetic, for load tests: {template.name_en}'s scheme ({period['source']})"
            )
    return schemes


def write_province(folder: Path, p: ProvinceSeed) -> None:
    """Write one province's four YAML files under ``folder/<code>`` (overwrites)."""
    out = folder / p.code
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "province.yaml": {
            "code": p.code,
            "name": p.name,
            "name_en": p.name_en,
            "admdvs": p.region,
            "regions": [{"admdvs": p.region, "name": p.region_name}],
            "institutions": _institutions(p),
        },
        "catalogue.yaml": {"entries": _catalogue(p)},
        "policy.yaml": {"schemes": {p.region: _policy(p)}},
        "persons.yaml": {"persons": _persons(p)},
    }
    what = (
        "synthetic data for load tests (a template province's rules), written"
        if p.code in _TEMPLATE
        else "generated"
    )
    for name, content in files.items():
        header = (
            f"# {p.name_en} ({p.code}) {name.split('.')[0]}: {what} by "
            "`python -m provincial_nodes.seed`, then free to edit.\n"
            "# Amounts are integer fen; ratios exact decimal strings.\n"
        )
        (out / name).write_text(
            header + yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=100)
        )


def write_default_data(folder: Path = DATA) -> None:
    """Write every default province's YAML files (overwrites)."""
    for p in PROVINCES:
        write_province(folder, p)


def synthetic_folder(code: str) -> Path:
    """The data folder of a synthetic province (written once under ``$SETTLENET_CACHE`` or
    ``~/.cache/settlenet``, keyed by this module's content so an edit here rewrites it)."""
    if code not in _TEMPLATE:
        raise KeyError(code)
    root = os.environ.get("SETTLENET_CACHE")
    cache = Path(root) if root else Path.home() / ".cache" / "settlenet"
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    base = cache / "provinces" / digest
    if not (base / code / "persons.yaml").exists():
        base.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=base) as tmp:
            write_province(Path(tmp), _BY_CODE[code])
            try:
                (Path(tmp) / code).rename(base / code)
            except OSError:  # another process wrote it first
                pass
    return base / code


def main(argv: list[str] | None = None) -> None:
    """``python -m provincial_nodes.seed [FOLDER]``: write the default provinces' files into
    FOLDER (default: the committed data folder)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m provincial_nodes.seed", description=main.__doc__
    )
    parser.add_argument(
        "folder", nargs="?", type=Path, default=DATA, help="output folder (default: %(default)s)"
    )
    write_default_data(parser.parse_args(argv).folder)


if __name__ == "__main__":
    main()
