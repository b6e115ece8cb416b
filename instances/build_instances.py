"""Build the bundled real-world instances from sourced figures.

Every figure below carries its source and a tag: REPORTED (read in the source; [R2] = read in a secondary
source that names the primary one), DERIVED (arithmetic from reported figures, shown), ASSUMED (our choice
where no source gives a number). instances/SOURCES.md explains each group, with the year and document, and
where sources disagree the range and the choice. Run from the repository root:

    python instances/build_instances.py          # rewrites instances/rare-earths/ and instances/gallium/

The written files are committed; tests/test_instances.py checks they match this script and that the baseline
reproduces the observed 2024/2025 chain.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent
REE = ROOT / "rare-earths"
GA = ROOT / "gallium"

USGS = "USGS Mineral Commodity Summaries 2025, rare earths (2024e mine production)"
WGI = "World Bank WGI Political Stability 2023"
LYNAS_FY25 = "Lynas FY2025 results (Aug 2025) [R2 middle.news, firmsworld]"
MP_2024 = "MP Materials Q4/FY2024 results (20 Feb 2025) [R2 investing.com, firmsworld]"
CUSTOMS = "China General Administration of Customs"

# ---------------------------------------------------------------------------------------------------------
# Regions. risk = 0.5 x bloc score + 0.5 x governance score, governance = clip((1.5 - WGI_PS) / 4, 0, 1);
# bloc score adversary 1, neutral 0.5, partner 0.3, ally 0.1, home 0 (the weights are ASSUMED).
# The planner is the allies: home, ally and partner blocs. ROW stands for the other magnet importers
# (Mexico, Vietnam, India, Thailand, Taiwan, ...), mostly US partners: it is a partner so that the allied
# planner values their supply too (ASSUMED).
BLOC_SCORE = {"adversary": 1.0, "neutral": 0.5, "partner": 0.3, "ally": 0.1, "home": 0.0}
REGIONS = [
    # id, name, bloc, WGI political stability, WGI source tag
    ("CN", "China", "adversary", -0.3, "ASSUMED approx. (domain research [C])"),
    ("US", "United States", "home", 0.03, f"REPORTED {WGI}"),
    ("AU", "Australia", "ally", 0.92, f"REPORTED {WGI}"),
    ("JP", "Japan", "ally", 0.95, f"REPORTED {WGI}"),
    ("KR", "South Korea", "ally", 0.61, f"REPORTED {WGI}"),
    ("CA", "Canada", "ally", 0.82, f"REPORTED {WGI}"),
    ("EU", "European Union (other members)", "ally", 0.47, "DERIVED mean of Germany 0.59 and France 0.34"),
    ("EE", "Estonia", "ally", 0.66, f"REPORTED {WGI}"),
    ("FR", "France", "ally", 0.34, f"REPORTED {WGI}"),
    ("GL", "Greenland", "ally", 1.50, f"REPORTED {WGI}"),
    ("MY", "Malaysia", "partner", 0.17, f"REPORTED {WGI}"),
    ("TH", "Thailand", "partner", -0.4, "ASSUMED approx. (domain research [C])"),
    ("VN", "Vietnam", "partner", 0.0, "ASSUMED approx. (domain research [C])"),
    ("IN", "India", "partner", -0.6, "ASSUMED approx. (domain research [C])"),
    ("BR", "Brazil", "partner", -0.4, "ASSUMED approx. (domain research [C])"),
    ("LA", "Laos", "neutral", 0.81, f"REPORTED {WGI}"),
    ("MG", "Madagascar", "neutral", -0.4, "ASSUMED approx. (domain research [C])"),
    ("NG", "Nigeria", "neutral", -1.8, "ASSUMED approx. (domain research [C])"),
    ("MM", "Myanmar", "neutral", -2.0, "ASSUMED approx. (domain research [C])"),
    ("RU", "Russia", "adversary", -0.9, "ASSUMED approx. (domain research [C])"),
    (
        "ROW",
        "Other magnet importers (Mexico, Vietnam, India, Thailand, Taiwan, ...)",
        "partner",
        0.0,
        "ASSUMED",
    ),
]
PLANNER = {
    "name": "allies (US, allies and partners)",
    "members": ["home", "ally", "partner"],
    "source": "ASSUMED: the plan is the allies' (the US, its allies and partners); China, Russia and the "
    "neutral miners are outside: the allies buy from them at the exporter's price",
}


def risk_score(bloc: str, wgi: float) -> float:
    gov = min(max((1.5 - wgi) / 4.0, 0.0), 1.0)
    return round(0.5 * BLOC_SCORE[bloc] + 0.5 * gov, 3)


# ---------------------------------------------------------------------------------------------------------
# Commodities: t REO for concentrates, t of oxide, metal and magnet; the elements each carries (what a
# control by element reaches) and its price (what the planner pays an outside exporter).
LREE_ORE = "La;Ce;Pr;Nd;Sm;Gd;Tb;Dy;Y"
HREE_ORE = "La;Ce;Pr;Nd;Sm;Eu;Gd;Tb;Dy;Ho;Er;Tm;Yb;Lu;Y"
ALL_REE = ["La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Sc", "Y"]
PRICE = {  # USD per t
    "conc_lree": 4_717,  # REPORTED MP Q4 2024 average realised price per t REO in concentrate
    "ndpr_oxide": 55_000,  # REPORTED 2024: NdPr fob China US$50-55/kg (Fastmarkets), Nd oxide US$56 (USGS)
    "dy_oxide": 260_000,  # REPORTED USGS MCS 2025 Dy oxide 2024 average (Argus)
    "tb_oxide": 810_000,  # REPORTED USGS MCS 2025 Tb oxide 2024 average (Argus)
    "ndpr_metal": 70_000,  # DERIVED 1.18 t oxide x 55,000 + ASSUMED ~5,000 conversion
    "ndfeb": 49_000,  # DERIVED 2024 customs: US$2.86 bn / 58,152 t
}

# Separation yields per t REO of concentrate (ASSUMED typical basket shares; remainder lumped as other_reo).
YIELDS = {
    "lree": {"ndpr_oxide": 0.20, "dy_oxide": 0.002, "tb_oxide": 0.0003},
    # a light circuit outside China recovers no Dy or Tb: their share leaves in a heavy fraction (SEG/HRE)
    # that only a heavy circuit separates (MP's light circuit makes no Dy/Tb: MP Q3 2025 results)
    "light": {"ndpr_oxide": 0.20, "hre_fraction": 0.015},
    # a heavy circuit: the heavy fraction's Dy and Tb (its 1.5% of light REO holds the basket's 0.2% Dy and
    # 0.03% Tb)
    "heavy": {"dy_oxide": round(0.002 / 0.015, 6), "tb_oxide": 0.02},
    "hree": {"ndpr_oxide": 0.25, "dy_oxide": 0.04, "tb_oxide": 0.007},
    "ef2": {"ndpr_oxide": 0.20, "dy_oxide": 0.008, "tb_oxide": 0.0022},
    "iluka": {"ndpr_oxide": 0.20, "dy_oxide": 0.010, "tb_oxide": 0.0020},
    "nolans": {"ndpr_oxide": 0.333, "dy_oxide": 0.002, "tb_oxide": 0.0003},
}
YIELD_SOURCE = {
    "lree": "ASSUMED light-ore basket: NdPr 20%, Dy 0.2%, Tb 0.03% of REO",
    "light": "light circuit: NdPr 20% of REO, heavy fraction 1.5% (ASSUMED) holding the basket's Dy and Tb, "
    "which a light circuit does not separate (MP: no Dy/Tb from its light circuit, Q3 2025 [R2])",
    "heavy": "heavy circuit on a light ore's heavy fraction: 13.3% Dy, 2% Tb of the fraction (DERIVED from the "
    "light basket)",
    "hree": "ASSUMED ionic-clay basket: NdPr 25%, Dy 4%, Tb 0.7% of REO",
    "ef2": "DERIVED Energy Fuels Phase 2 BFS: >6,000 t NdPr + 240 t Dy + 66 t Tb from ~30,000 t REO feed",
    "iluka": "ASSUMED Eneabba monazite-xenotime basket: NdPr 20%, Dy 1%, Tb 0.2%",
    "nolans": "DERIVED Arafura Nolans feasibility: 4,440 t NdPr from 13,343 t REO = 33.3%; Dy, Tb ASSUMED",
}


def basket_value(kind: str) -> float:
    return sum(PRICE[c] * share for c, share in YIELDS[kind].items())


# conc_hree price DERIVED: MP's realised concentrate price is 40% of its basket's separated value; the same
# ratio applied to the ionic-clay basket.
CONC_RATIO = PRICE["conc_lree"] / basket_value("lree")
PRICE["conc_hree"] = round(CONC_RATIO * basket_value("hree"), -2)
PRICE["conc_monazite"] = round(CONC_RATIO * basket_value("ef2"), -2)
PRICE["hre_fraction"] = round(CONC_RATIO * basket_value("heavy"), -2)
# what a plant can recover from each input (t of the element as oxide per t): checked on load
CONTAINS = {
    "conc_lree": {"Dy": 0.002, "Tb": 0.0003},
    "conc_hree": {"Dy": 0.04, "Tb": 0.007},
    "conc_monazite": {"Dy": 0.008, "Tb": 0.0022},
    "hre_fraction": {"Dy": 0.002 / 0.015, "Tb": 0.0003 / 0.015},
    "dy_oxide": {"Dy": 1.0},
    "tb_oxide": {"Tb": 1.0},
}

COMMODITIES = [
    ("conc_lree", "mining", "light-RE concentrate (bastnaesite/monazite), t REO", LREE_ORE,
     f"REPORTED price: {MP_2024}, Q4 2024 realised US$4,717 per t REO"),
    ("conc_hree", "mining", "ionic-adsorption clay / heavy concentrate, t REO", HREE_ORE,
     f"DERIVED price: MP's concentrate/basket ratio {CONC_RATIO:.3f} x ionic basket value "
     f"{basket_value('hree'):,.0f} USD/t"),
    ("conc_monazite", "mining", "heavy-mineral-sands monazite/xenotime concentrate, t REO", HREE_ORE,
     f"DERIVED price: MP's concentrate/basket ratio {CONC_RATIO:.3f} x the Energy Fuels Phase 2 basket value "
     f"{basket_value('ef2'):,.0f} USD/t"),
    ("hre_fraction", "separation", "heavy fraction (SEG/HRE) of a light circuit, t REO", "Sm;Eu;Gd;Tb;Dy;Y",
     f"DERIVED price: ratio {CONC_RATIO:.3f} x its Dy and Tb value; a light separator outside China makes it, a "
     "heavy circuit separates it"),
    ("ndpr_oxide", "separation", "NdPr oxide", "Nd;Pr",
     "REPORTED NdPr oxide fob China US$50-55/kg 2024 (Fastmarkets [R2]); Nd oxide US$56/kg (USGS MCS 2025)"),
    ("dy_oxide", "separation", "Dy oxide", "Dy", "REPORTED USGS MCS 2025 Dy oxide 2024 avg US$260/kg (Argus)"),
    ("tb_oxide", "separation", "Tb oxide", "Tb", "REPORTED USGS MCS 2025 Tb oxide 2024 avg US$810/kg (Argus)"),
    ("other_reo", "separation", "lumped remainder: La, Ce, Sm, Gd, Y and other oxides (not traded here)",
     "La;Ce;Sm;Eu;Gd;Ho;Er;Tm;Yb;Lu;Y", "lumped; not priced, not shipped"),
    ("ndpr_metal", "metal", "NdPr metal", "Nd;Pr", "DERIVED 1.18 x NdPr oxide price + ASSUMED US$5/kg conversion"),
    ("ndfeb", "magnet", "sintered NdFeB magnet", "Nd;Pr;Dy;Tb",
     f"DERIVED 2024 export value / tonnes ({CUSTOMS} via Adamas [R2]): US$2.86 bn / 58,152 t = US$49/kg"),
    ("magnet_scrap", "end-of-life", "end-of-life NdFeB magnet scrap (swarf, motors, drives)", "Nd;Pr;Dy;Tb",
     "collectable scrap ASSUMED; not traded"),
]  # fmt: skip

# Recycling (ASSUMED): collectable end-of-life magnet scrap = 2% of a region's 2025 magnet demand, growing
# 10%/yr; a recycling plant recovers 0.24 t NdPr oxide, 0.008 t Dy and 0.0012 t Tb oxide per t of scrap
# (80% of the RE in the magnet recipe); its output takes the recycler's origin (provenance 'own').
SCRAP_SHARE, SCRAP_GROWTH = 0.02, 0.10
RECYCLE_OUT = {"ndpr_oxide": 0.24, "dy_oxide": 0.008, "tb_oxide": 0.0012}
RECYCLE_SITES = ["US", "JP", "EU", "KR"]


def sep_outputs(kind: str) -> dict[str, float]:
    y = dict(YIELDS[kind])
    y["other_reo"] = round(1.0 - sum(y.values()), 6)
    return y


# Metal: 1 t NdPr metal from 1.18 t NdPr oxide (DERIVED: oxide->metal mass ratio 0.857, 1% loss).
METAL_INPUT = 1.18
# Magnet recipe per t NdFeB (ASSUMED typical sintered-grade mix): 0.25 t NdPr metal, 0.009 t Dy, 0.0015 t Tb.
RECIPE = {"ndpr_metal": 0.25, "dy_oxide": 0.009, "tb_oxide": 0.0015}
NDPR_PER_MAGNET = RECIPE["ndpr_metal"] * METAL_INPUT  # t NdPr oxide per t magnet

YEARS = [2025, 2026, 2027, 2028, 2030, 2032, 2035]
CN_GROWTH = 0.05  # ASSUMED: China's quotas grew 5.9% 2023->2024 (MIIT via Fastmarkets [R2]); 5%/yr kept


def grow(base: float, rate: float = CN_GROWTH) -> dict[int, float]:
    return {y: round(base * (1 + rate) ** (y - 2025)) for y in YEARS}


# ---------------------------------------------------------------------------------------------------------
# Mines (t REO/yr of concentrate): 2025 capacity, or a mapping year -> capacity.
# Mt Weld at the light-ore basket (its NdPr share is ~23-25%; the common basket keeps concentrates
# interchangeable between separators, so no plant gains by taking another's feed)
MT_WELD_2025 = round(6_558 / YIELDS["lree"]["ndpr_oxide"], -2)  # 32,800 t REO, DERIVED from NdPr output
MT_WELD_EXPANDED = 12_000 / YIELDS["lree"]["ndpr_oxide"]  # 60,000 t REO: feed for 12,000 t/yr NdPr
MINES: list[tuple[str, str, Any, str]] = [
    ("CN", "lree", 249_720, f"DERIVED {USGS}: China 270,000 minus ionic-clay 20,280"),
    ("CN", "hree", 20_280, "DERIVED 2024 ion-adsorption quota: H1 10,140 t (China RE Group) x 2 [R2]"),
    ("US", "lree", 45_000, f"REPORTED {USGS}: United States 45,000; MP Materials 45,455 t REO in 2024 ({MP_2024})"),
    ("MM", "hree", 31_000, f"REPORTED {USGS}: Burma 31,000 (ionic clay, estimated from China's import data)"),
    ("AU", "lree", {2025: MT_WELD_2025, 2026: MT_WELD_EXPANDED},
     f"DERIVED Mt Weld feed for Lynas's 6,558 t NdPr (FY25, {LYNAS_FY25}) at 20% NdPr = {MT_WELD_2025:,.0f} t REO; "
     f"expansion 'supports 12,000 t/yr NdPr' (near-complete FY25) = {MT_WELD_EXPANDED:,.0f} t from 2026. "
     "USGS reports Australia 13,000 t (2024e), on a product basis (Lynas reports 10,462 t REO of finished "
     "product in FY25): sources disagree; the company-implied feed is used"),
    ("NG", "lree", 13_000, f"REPORTED {USGS}: Nigeria 13,000; ore class ASSUMED monazite"),
    ("TH", "lree", 13_000, f"REPORTED {USGS}: Thailand 13,000, estimated by USGS from China's import data; "
     "Thailand reports no commercial mining (doubtful as allied feed; sold to China, see sales)"),
    ("IN", "lree", 2_900, f"REPORTED {USGS}: India 2,900 (monazite)"),
    ("RU", "lree", 2_500, f"REPORTED {USGS}: Russia 2,500 (loparite)"),
    ("MG", "hree", 2_000, f"REPORTED {USGS}: Madagascar 2,000; ore class ASSUMED ionic clay"),
    ("VN", "lree", 300, f"REPORTED {USGS}: Vietnam 300"),
    ("MY", "hree", 130, f"REPORTED {USGS}: Malaysia 130; ore class ASSUMED ionic clay"),
    ("BR", "hree", {2025: 20, 2026: 5_000},
     f"REPORTED {USGS}: Brazil 20 (2024e); Serra Verde (ionic clay) in commercial production since 2024, "
     "'5,000 t of REO annually in 2026' (COO, via mining.com [R2])"),
    ("LA", "hree", 1_100, f"REPORTED {USGS}: Other 1,100, ASSUMED mostly Laos ionic clay"),
]  # fmt: skip


def capacity_at(cap: Any, year: int) -> float:
    if not isinstance(cap, dict):
        return float(cap)
    return float(max((v for y, v in cap.items() if y <= year), default=0.0))


WORLD_MINE_2025 = sum(capacity_at(c, 2025) for _, _, c, _ in MINES)  # model basis (Mt Weld company-implied)
OUTSIDE = {r for r, _, b, _, _ in REGIONS if b in ("adversary", "neutral")}
CN_FEED = {  # what China separates: the outside regions' mines (Russia separates its own)
    ore: sum(capacity_at(c, 2025) for r, o, c, _ in MINES if o == ore and r in OUTSIDE - {"RU"})
    for ore in ("lree", "hree")
}
CN_SEP_TOTAL = round(0.91 * WORLD_MINE_2025, -2)  # DERIVED IEA 91% applied to capacity (not binding)
CN_SEP_HREE = CN_FEED["hree"]
CN_SEP_LREE = CN_SEP_TOTAL - CN_SEP_HREE

# Separation outside China (t REO feed/yr): id, region, basket, ore, capacity, var cost, source.
SEPARATION: list[tuple[str, str, str, str, Any, float, str]] = [
    ("lynas_malaysia", "MY", "light", "lree", {2025: MT_WELD_2025, 2026: 40_000, 2028: 10_500 / 0.20}, 7_000,
     f"REPORTED Lynas Malaysia SX and finishing capacity 10.5 kt/yr NdPr ({LYNAS_FY25}); DERIVED feed / 0.20; 2025 at "
     "its FY25 output (6,558 t NdPr), not nameplate: with interchangeable concentrates any separator could "
     "otherwise take another's feed at equal cost; 2026-27 at the Sep-quarter 2025 run-rate, 2,003 t NdPr = ~8 "
     "kt/yr (Argus, Oct 2025 [R2]) = 40,000 t feed; nameplate from 2028 ASSUMED"),
    ("mp_mountain_pass_sep", "US", "light", "lree", {2025: 12_500, 2026: 20_000, 2027: 25_000, 2028: 30_000}, 7_000,
     "DERIVED 2025: Jan-Sep NdPr 1,881 t annualised = ~2,500 t / 0.20 (MP 2024: 1,294 t, "
     f"{MP_2024}); the line is designed for >6,000 t/yr NdPr (Adamas site visit, Oct 2022 [R2]): ramp to 30,000 t "
     "REO feed by 2028 ASSUMED (the schedule is the ramp)"),
    ("ef_white_mesa", "US", "light", "lree", 5_000, 9_000,
     "DERIVED Energy Fuels Phase 1 850-1,000 t NdPr / 0.20; monazite cracking with uranium recovery: var cost "
     "ASSUMED above bastnaesite"),
    ("neo_silmet", "EE", "light", "lree", 3_000, 7_000, "REPORTED Neo Silmet 3,000 t/yr [R2]"),
    ("solvay_la_rochelle", "FR", "light", "lree", {2025: 500, 2026: 2_000}, 7_000,
     "REPORTED Solvay La Rochelle inaugurated 8 Apr 2025, several hundred t in 2025, 2,000-5,000 t REO "
     "possible [R2]; 500 t in 2025 and the 2,000 t lower bound after ASSUMED"),
    ("ireal_india", "IN", "light", "lree", 2_900, 7_000, "ASSUMED India separates its own 2,900 t"),
    ("solikamsk_russia", "RU", "lree", "lree", 2_500, 7_000, "ASSUMED Russia separates its own 2,500 t, heavies included"),
]  # fmt: skip
# Heavy circuits outside China (t/yr of feed): id, region, input, basket, capacity, var cost, source. Their
# schedules are reported ramps (ramp [1]).
HEAVY = [
    ("lynas_malaysia_heavy", "MY", "hre_fraction", "heavy", 235, 9_000,
     "REPORTED Lynas first separated Dy (May 2025) and Tb (Jun 2025) in Malaysia; 9 t Dy+Tb in Jul-Sep 2025 "
     "(Argus, Oct 2025 [R2]) = ~36 t/yr; DERIVED 36 / 15.3% = 235 t/yr of heavy fraction"),
    ("lynas_hre_feed", "MY", "conc_hree", "hree", {2028: 5_000}, 9_000,
     "REPORTED Lynas 5,000 t/yr heavy-feedstock plant in Malaysia, A$180m, 'within two years' (Lynas, 29 Oct 2025 "
     "[R2]); online 2028 DERIVED"),
    ("mp_heavy_circuit", "US", "hre_fraction", "heavy", {2026: 652, 2027: 1_305}, 9_000,
     "REPORTED MP heavy-RE separation: 200 t/yr Dy+Tb nameplate in total from mid-2026, fed by its own heavy "
     "concentrate, stockpile and third-party material (MP Q3 2025 results [R2]); DERIVED 200 / 15.3% = 1,305 t/yr "
     "of heavy fraction, half in 2026"),
]  # fmt: skip


def world_ndpr_2025() -> tuple[float, float]:
    """NdPr oxide separable in 2025 by China (from outside feeds) and outside China (at capacity, or the
    feed available to it: Mt Weld for Lynas), t."""
    china = CN_FEED["lree"] * YIELDS["lree"]["ndpr_oxide"] + CN_FEED["hree"] * YIELDS["hree"]["ndpr_oxide"]
    rest = 0.0
    for fid, _r, kind, _ore, cap, _v, _s in SEPARATION:
        feed = capacity_at(cap, 2025)
        if fid == "lynas_malaysia":
            feed = min(feed, MT_WELD_2025)
        rest += feed * YIELDS[kind]["ndpr_oxide"]
    return china, rest


# Magnets and metal outside China (t/yr). ASSUMED unless marked.
NON_CN_MAGNETS = [
    ("jp_magnets", "JP", 11_000, "ASSUMED Japanese makers (Shin-Etsu, TDK, Proterial) ~11 kt"),
    ("vn_magnets", "VN", 2_000, "ASSUMED Shin-Etsu Vietnam ~2 kt"),
    ("eu_magnets", "EU", 1_500, "ASSUMED VAC (Germany) ~1.5 kt"),
    ("mp_independence", "US", 1_000, "REPORTED MP Independence ~1,000 t/yr NdFeB, ramp from 2025 (SEC exhibit 99.1)"),
    ("neo_narva", "EE", {2025: 0, 2026: 2_000}, "REPORTED Neo Narva 2,000 t/yr Phase 1, opened 19 Sep 2025 [R2]"),
]  # fmt: skip
NON_CN_METAL = [
    ("jp_metal", "JP", 5_000, "ASSUMED Japanese NdPr metal ~5 kt"),
    ("vn_metal", "VN", 3_000, "ASSUMED Vietnamese NdPr metal ~3 kt"),
    ("us_metal", "US", 1_000, "ASSUMED MP NdPr metal ~1 kt at Independence"),
]
NON_CN_MAGNETS_2025 = sum(capacity_at(c, 2025) for _, _, c, _ in NON_CN_MAGNETS)
ALLIED_NDPR_USE_2025 = NON_CN_MAGNETS_2025 * RECIPE["ndpr_metal"] * METAL_INPUT  # what allied plants use
ALLIED_NDPR_2025 = (
    6_558
    + 2_500
    + sum(  # Lynas FY25, MP 2025 run-rate, and the small allied separators
        capacity_at(cap, 2025) * YIELDS[kind]["ndpr_oxide"]
        for fid, _r, kind, _o, cap, _v, _s in SEPARATION
        if fid in ("neo_silmet", "solvay_la_rochelle", "ireal_india")
    )
)
CN_MAGNETS_2024 = 300_000  # REPORTED trade press (Argus [R2]): China's NdFeB output about 300 kt in 2024

# ---------------------------------------------------------------------------------------------------------
# Demand (t NdFeB/yr), 2025. Outside China: each region's 2024 imports from China (China's 2024 magnet
# exports 58,152 t, split by destination) plus its own output. US and EU shares DERIVED from customs by
# destination: H1 2025 US 2,510 t (-30.6% y/y) and EU 8,360 t (-22.4%) imply 2024 US ~7 kt and EU ~21 kt
# (credibility audit 2025-12; Adamas Oct 2025: US ~10 kt, EU >25 kt incl. indirect); KR, JP ASSUMED; the
# rest of the world takes the remainder.
CN_EXPORTS_2024 = 58_152  # REPORTED 2024 exports of RE permanent magnets (GACC via Adamas [R2])
EXPORT_SHARE = {"EU": 0.36, "KR": 0.13, "US": 0.12, "JP": 0.06, "ROW": 0.33}
OWN_OUTPUT = {"EU": 1_500, "JP": 11_000, "ROW": 2_000, "US": 0, "KR": 0}  # as NON_CN_MAGNETS (VN in ROW)
EX_CHINA = {r: round(CN_EXPORTS_2024 * s + OWN_OUTPUT[r]) for r, s in EXPORT_SHARE.items()}
NON_MAGNET_NDPR = 0.10  # ASSUMED share of NdPr oxide going to catalysts, glass, alloys (not modelled)
_CN_NDPR, _REST_NDPR = world_ndpr_2025()
WORLD_MAGNETS = round((1 - NON_MAGNET_NDPR) * (_CN_NDPR + _REST_NDPR) / NDPR_PER_MAGNET, -2)
CN_DEMAND_2025 = WORLD_MAGNETS - sum(EX_CHINA.values())
# growth 5.0%/yr DERIVED from IEA GCMO 2024 APS magnet-REE demand 93 kt (2023) -> 131 kt (2030)
DEMAND_GROWTH = (131 / 93) ** (1 / 7) - 1
US_DEFENCE_2025 = 1_000  # ASSUMED defence demand (DFARS: no Chinese-origin magnets from 2027), in US total

# End uses of the allies' demand, with the value lost per t not served (ASSUMED, reasoning in SOURCES.md)
# and price-sensitive steps (the share of a row bought only up to a lower willingness to pay).
END_USE_SHARE = {"ev_motors": 0.30, "industrial_motors": 0.30, "wind": 0.10, "electronics_other": 0.30}
END_USES = [
    {
        "id": "ev_motors",
        "description": "EV and hybrid traction motors",
        "value": 1_500_000,
        "steps": [{"share": 0.3, "value": 150_000}],
        "source": "ASSUMED value: ~1.5 kg NdFeB per traction motor [R2]; a missing motor idles a vehicle with "
        "~US$2,250 contribution margin -> US$1,500/kg. Step: 30% can switch to magnet-free motors (EESM, "
        "induction) at ~US$225 per vehicle -> US$150/kg",
    },
    {
        "id": "industrial_motors",
        "description": "industrial motors, pumps, compressors, appliances, e-bikes",
        "value": 500_000,
        "steps": [{"share": 0.5, "value": 100_000}],
        "source": "ASSUMED value US$500/kg (the 2025 ex-China magnet premium reached ~6x, ~US$300/kg, and "
        "buyers paid it: IEA commentary [R2]); half can use induction or ferrite motors at ~US$100/kg",
    },
    {
        "id": "wind",
        "description": "direct-drive and medium-speed permanent-magnet wind generators",
        "value": 300_000,
        "steps": [{"share": 0.5, "value": 100_000}],
        "source": "ASSUMED value US$300/kg (~600 kg NdFeB per MW [R2/C]: a delayed MW); half can switch to "
        "geared doubly-fed generators without magnets at ~US$100/kg",
    },
    {
        "id": "electronics_other",
        "description": "consumer electronics, acoustics, medical imaging, other",
        "value": 1_000_000,
        "source": "ASSUMED US$1,000/kg: grams per device, high product value, no quick substitute",
    },
    {
        "id": "defence",
        "description": "defence systems (DFARS 225.7018: no Chinese-origin magnets from 1 Jan 2027)",
        "value": 10_000_000,
        "source": "ASSUMED US$10,000/kg: a guided munition or aircraft system does not ship without it; "
        "must-serve",
    },
]


# ---------------------------------------------------------------------------------------------------------
# Build options. Lead times (build decision to capacity online), from the public record where it gives one:
# greenfield mines 8 yr (IEA: ~8 yr on average for new mines, build decision to production, vs 15.7 yr
# discovery-to-production in S&P 2023, which is not a build decision); brownfield expansions shorter.
USD_PER_AUD = 0.65  # ASSUMED exchange rate
USD_PER_EUR = 1.08  # ASSUMED exchange rate
LEAD = {
    ("mine", "greenfield"): (8, "IEA ~8 yr average for new mines (build decision to production) [R2]"),
    ("mine", "brownfield"): (4, "ASSUMED half the greenfield time (Mt Weld expansion 2022-25; Serra Verde "
                             "commissioning Jun 2023 -> commercial 2024 -> 5 kt in 2026)"),
    ("sep", "greenfield"): (5, "observed 3-7 yr: Iluka FID 2022 -> 2027, Energy Fuels BFS 2025 -> 2029"),
    ("sep", "brownfield"): (2, "observed: Solvay La Rochelle plan Oct 2022 -> Apr 2025"),
    ("metal", "greenfield"): (3, "ASSUMED"),
    ("magnet", "greenfield"): (3, "observed 2-4 yr: Neo Narva 2023 -> 2025, MP 10X 2025 -> 2028"),
    ("magnet", "brownfield"): (2, "observed: Neo Narva phase 1 in ~2.5 yr"),
    ("heavy", "greenfield"): (3, "observed: MP heavy circuit, DoD loan 2024 -> first output mid-2026"),
}  # fmt: skip
PROJECTS = [
    # id, facility, region, stage:basket, kind, size, cost, (stage, field), earliest, source
    ("ef_phase2", "ef_white_mesa_phase2", "US", "sep:ef2", "discrete", 30_000, 410e6, ("sep", "brownfield"), 2027, 2,
     "REPORTED Energy Fuels Phase 2 BFS capex US$410m, approvals mid-2027, commissioning Q1 2029 [R2]; feed "
     "DERIVED 6,000 t NdPr / 0.20 of monazite concentrate from its own heavy-mineral-sands projects (Donald, "
     "Toliara below): without them it has nothing to separate"),
    ("donald", "au_donald_mine", "AU", "mine:monazite", "discrete", 7_000, round(400e6 * USD_PER_AUD),
     ("mine", "brownfield"), 2026, 3,
     "Donald rare earth and mineral sands (Astron / Energy Fuels JV, Victoria), FID pending (2025 [R2]): "
     "concentrate 7,000 t REO/yr and capex A$400m ASSUMED; 3 yr from FID"),
    ("toliara", "mg_toliara_mine", "MG", "mine:monazite", "discrete", 10_000, 500e6, ("mine", "greenfield"), 2027, 5,
     "Toliara / Vara Mada (Madagascar, Energy Fuels): permitting and fiscal terms pending (2025 [R2]); 10,000 t "
     "REO/yr of monazite, capex US$500m and 5 yr from 2027 ASSUMED"),
    ("solvay_expansion", "solvay_la_rochelle", "FR", "sep:lree", "discrete", 3_000, round(100e6 * USD_PER_EUR),
     ("sep", "brownfield"), 2025, None,
     "REPORTED Solvay ~EUR100m for full scale (2,000 -> 5,000 t REO) [R2]; DERIVED x 1.08"),
    ("nolans", "arafura_nolans", "AU", "int:nolans", "discrete", 13_343, round(1.6e9 * USD_PER_AUD),
     ("mine", "greenfield"), 2026, 3,
     "REPORTED Arafura Nolans feasibility: 13,343 t/yr REO, 4,440 t NdPr, capex A$1.6 bn, integrated mine and "
     "refinery; FID 2026 [R2]; construction 3 yr from FID (deposit drilled out, approvals held)"),
    ("serra_verde_phase2", "br_mine_hree", "BR", "mine:hree", "discrete", 5_000, 150e6, ("mine", "brownfield"),
     2026, None,
     "REPORTED Serra Verde Phase II 'could double run-of-mine production before 2030' [R2]; +5,000 t REO; capex "
     "ASSUMED ~US$150m (Vision Blue / EMG US$150m raise, Oct 2024 [R2], as a proxy)"),
    ("usare_stillwater_2", "usare_magnets", "US", "magnet", "discrete", 3_600, 300e6, ("magnet", "brownfield"), 2026,
     None, "REPORTED ramp to 4,800 t/yr nameplate [R2]; capex of the ramp ASSUMED pro rata (US$83k per t/yr)"),
    ("neo_narva_phase2", "neo_narva", "EE", "magnet", "discrete", 3_000, round(175e6 * USD_PER_EUR),
     ("magnet", "brownfield"), 2026, None,
     "REPORTED Neo Narva up to 5,000 t/yr, ~EUR250m at full scale vs EUR75m phase 1 [R2]; DERIVED EUR175m x 1.08"),
]  # fmt: skip
# Projects the deals name, bundled in the instances with the deals (allied-frameworks-2025, market-shocks-2027):
# the control instances keep their recorded results. Browns Range (Northern Minerals, WA): its xenotime
# concentrate goes to a heavy separator (Iluka's Eneabba under its offtake; modelled as the hree basket).
DEAL_PROJECTS = [
    ("browns_range", "ntu_browns_range", "AU", "mine:hree", "discrete", 4_350, round(592e6 * USD_PER_AUD),
     ("mine", "brownfield"), 2026, 2,
     "REPORTED Northern Minerals Browns Range DFS (Sep 2025, NTU DFS deck via Rare Earth Exchanges and "
     "middle.news [R2]): 4,350 t/yr TREO in xenotime concentrate, pre-production capex A$592m, 11-year mine life, "
     "steady state ~2028, offtake to Iluka's Eneabba refinery, pre-tax IRR 12%; FID pending funding, so the "
     "earliest start 2026 and 2 yr to first output (pilot plant run 2018-21, approvals and native title held) "
     "ASSUMED; basket modelled as the ionic-clay hree basket (Dy+Tb ~54% of its value vs ~70% reported)"),
]  # fmt: skip
# Variable costs of projects that report them (USD per t of activity), else VAR_COST by stage
PROJECT_VAR_COST = {
    "ntu_browns_range": (round(31.25 * USD_PER_AUD * 1000), "REPORTED C1 A$31.25/kg TREO (Browns Range DFS, Sep "
                         "2025 [R2])"),
}  # fmt: skip
LIFETIME = {"browns_range": 11}  # REPORTED 11-year mine life (DFS, Sep 2025 [R2]); others 25 ASSUMED
INVESTOR = {"toliara": "US"}  # Energy Fuels (US) develops Toliara in Madagascar (REPORTED [R2])
# Committed projects: financed and under construction, so existing capacity from their stated start (their
# capex is sunk for the plan, which decides only what is not yet committed).
COMMITTED = [
    ("iluka_eneabba_refinery", "AU", "int:iluka", {2027: 17_500},
     "REPORTED Iluka Eneabba 17,500 t/yr REO (2022 feasibility study), capex A$1.7-1.8 bn, FID Apr 2022, "
     "A$1.65 bn government loans, commissioning 2027 [R2]"),
    ("mp_10x_magnets", "US", "magnet", {2028: 7_000},
     "REPORTED MP 10X: ~7,000 t/yr new magnets, commissioning 2028; DoD US$400m preferred equity and US$1.0 bn "
     "JPM/GS financing (Jul 2025) [R2]"),
    ("vulcan_magnets", "US", "magnet", {2029: 10_000},
     "REPORTED Vulcan Elements 10,000 t/yr; US$620m OSC loan + US$50m CHIPS + US$550m private (PR Newswire, "
     "3 Nov 2025); online 2029 ASSUMED (3 yr, observed magnet builds)"),
    ("usare_magnets", "US", "magnet", {2026: 1_200},
     "REPORTED USA Rare Earth Stillwater: 1,200 t/yr initially, >US$100m invested; first magnets 2025 [R2]"),
]  # fmt: skip
GREENFIELD = {
    # stage: (capex per t/yr, max t/yr, source)
    "mine": (20_000, 30_000, "ASSUMED capex"),
    "sep": (40_000, 20_000, "DERIVED capex between Energy Fuels Phase 2 US$13.7k and Iluka US$65k per t REO/yr"),
    "metal": (20_000, 10_000, "ASSUMED capex"),
    "magnet": (120_000, 20_000, "DERIVED capex of the US projects: Vulcan US$122k, MP 10X US$143k, USA Rare Earth "
               "US$83k per t/yr (median ~US$120k; Neo Narva's EU-funded EUR37.5k is the low end)"),
    "heavy": (115_000, 2_000, "DERIVED capex: DoD/OSC US$150m loan for MP's heavy circuit / 1,305 t/yr of heavy "
              "fraction (MP [R2]) = ~US$115k per t/yr"),
}  # fmt: skip
GREENFIELD_SITES = {
    "heavy": ["US", "AU", "JP", "EU"],
    "mine:lree": ["US", "AU", "CA", "GL", "BR", "IN", "VN"],
    "mine:hree": ["BR"],
    "sep:lree": ["US", "AU", "CA", "JP", "EU", "KR", "VN", "IN"],
    "sep:hree": ["US", "AU", "JP", "BR"],
    "metal": ["US", "JP", "EU", "KR", "VN", "AU"],
    "magnet": ["US", "JP", "EU", "KR", "VN", "IN"],
}
# Opened to allied (US) investment by the US-Malaysia and US-Thailand MOUs (ASSUMED reading, see DEALS):
DEAL_SITES = {
    "us_malaysia": {"mine:hree": ["MY"], "sep:lree": ["MY"], "sep:hree": ["MY"]},
    "us_thailand": {"sep:lree": ["TH"], "magnet": ["TH"]},
}

# Variable costs (USD per t of activity), ASSUMED; China lower.
VAR_COST = {
    "heavy": (6_000, 9_000),
    "mine": (2_000, 3_500),
    "sep": (4_000, 7_000),
    "int": (6_000, 10_500),  # integrated mine and separation
    "metal": (4_000, 7_000),
    # magnets: China's export price less materials (US$49/kg - ~US$21/kg) leaves ~US$28/kg for conversion and
    # margin: allied plants at that; China's own cost lower
    "magnet": (20_000, 28_000),
}
ROUTE_COST = {"conc": 200, "oxide": 500, "metal": 500, "magnet": 1_000}  # USD/t, ASSUMED


# ---------------------------------------------------------------------------------------------------------
def _fmt(v: Any) -> Any:
    if isinstance(v, float):
        return f"{v:.6g}"
    return v


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    header: list[str] = []
    for r in rows:
        header += [k for k in r if k not in header]
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: _fmt(v) for k, v in r.items()})


def write_yaml(path: Path, header: str, data: dict[str, Any]) -> None:
    text = "".join(f"# {line}\n" if line else "#\n" for line in header.strip().splitlines())
    path.write_text(text + yaml.safe_dump(data, sort_keys=False, width=110, allow_unicode=True))


# Facilities whose capacity schedule is itself their reported or assumed ramp (no stage ramp on top), and
# China's plants, whose schedule is output growth, not new plants.
SCHEDULED = {"lynas_malaysia", "mp_mountain_pass_sep", "solvay_la_rochelle"}


def facility(
    fid: str, region: str, inputs: dict, outputs: dict, capacity: Any, var: float, source: str, name: str = ""
) -> dict[str, Any]:
    row: dict[str, Any] = {"id": fid, "region": region, "name": name}
    if region == "CN":
        row["ramp"] = "1"
    for c, v in inputs.items():
        row[f"inputs.{c}"] = v
    for c, v in outputs.items():
        row[f"outputs.{c}"] = v
    if isinstance(capacity, dict):
        for y, v in capacity.items():
            row[f"capacity.{y}"] = round(v)
    else:
        row["capacity.2025"] = round(capacity)
    row["var_cost"] = var
    row["source"] = source
    return row


STAGE_IO = {
    "mine:lree": ({}, {"conc_lree": 1}),
    "mine:hree": ({}, {"conc_hree": 1}),
    "mine:monazite": ({}, {"conc_monazite": 1}),
    "sep:lree": ({"conc_lree": 1}, sep_outputs("light")),  # a light circuit outside China: no Dy, no Tb
    "sep:hree": ({"conc_hree": 1}, sep_outputs("hree")),
    "heavy": ({"hre_fraction": 1}, sep_outputs("heavy")),  # a heavy circuit on light circuits' heavy fraction
    "sep:ef2": ({"conc_monazite": 1}, sep_outputs("ef2")),  # Energy Fuels Phase 2: needs its feed mines
    "int:iluka": ({}, sep_outputs("iluka")),
    "int:nolans": ({}, sep_outputs("nolans")),
    "metal": ({"ndpr_oxide": METAL_INPUT}, {"ndpr_metal": 1}),
    "magnet": (RECIPE, {"ndfeb": 1}),
}


def ree_regions() -> list[dict[str, Any]]:
    return [
        {
            "id": r,
            "name": n,
            "bloc": b,
            "risk": risk_score(b, w),
            "controlled_origin": r == "CN",
            "source": f"risk DERIVED from bloc and WGI {w:+.2f} ({s})",
        }
        for r, n, b, w, s in REGIONS
    ]


def ree_commodities() -> list[dict[str, Any]]:
    return [
        {"id": c, "stage": st, "description": d, "elements": el, **({"price": PRICE[c]} if c in PRICE else {}),
         **{f"contains.{e}": round(x, 6) for e, x in CONTAINS.get(c, {}).items()}, "source": s}
        for c, st, d, el, s in COMMODITIES
    ]  # fmt: skip


def ree_facilities() -> list[dict[str, Any]]:
    """Existing plants (2025 capacity, with announced ramps) and the candidate sites of build options."""
    fac: list[dict[str, Any]] = []
    for region, ore, cap, src in MINES:
        china = region == "CN"
        fac.append(
            facility(
                f"{region.lower()}_mine_{ore}",
                region,
                {},
                {f"conc_{ore}": 1},
                grow(cap) if china else cap,
                VAR_COST["mine"][not china],
                src + (f"; China capacity +{CN_GROWTH:.0%}/yr ASSUMED" if china else ""),
            )
        )
    for ore, total in (("lree", CN_SEP_LREE), ("hree", CN_SEP_HREE)):
        src = (
            f"DERIVED 91% (IEA 2025 [R2]) x world mine capacity {WORLD_MINE_2025:,.0f} t = {CN_SEP_TOTAL:,.0f}, "
            f"minus ionic {CN_SEP_HREE:,.0f}"
            if ore == "lree"
            else f"DERIVED China separates the outside regions' ionic clay ({CN_SEP_HREE:,.0f} t)"
        )
        fac.append(facility(f"cn_sep_{ore}", "CN", {f"conc_{ore}": 1}, sep_outputs(ore), grow(total),
                            VAR_COST["sep"][0], f"{src}; {YIELD_SOURCE[ore]}"))  # fmt: skip
    for fid, region, kind, ore, cap, var, src in SEPARATION:
        fac.append(facility(fid, region, {f"conc_{ore}": 1}, sep_outputs(kind), cap, var,
                            f"{src}; {YIELD_SOURCE[kind]}"))  # fmt: skip
        if fid in SCHEDULED:
            fac[-1]["ramp"] = "1"
    for fid, region, feed, kind, cap, var, src in HEAVY:
        fac.append(
            facility(fid, region, {feed: 1}, sep_outputs(kind), cap, var, f"{src}; {YIELD_SOURCE[kind]}")
        )
        fac[-1]["ramp"] = "1"
    cn_magnets = grow(CN_MAGNETS_2024)
    fac.append(facility("cn_metal", "CN", {"ndpr_oxide": METAL_INPUT}, {"ndpr_metal": 1},
                        {y: v * RECIPE["ndpr_metal"] * 1.15 for y, v in cn_magnets.items()}, VAR_COST["metal"][0],
                        f"DERIVED China magnet capacity x 0.25 x 1.15 headroom; {METAL_INPUT} t oxide per t metal "
                        "DERIVED (mass ratio 0.857, 1% loss)"))  # fmt: skip
    for fid, region, qty, src in NON_CN_METAL:
        fac.append(
            facility(
                fid, region, {"ndpr_oxide": METAL_INPUT}, {"ndpr_metal": 1}, qty, VAR_COST["metal"][1], src
            )
        )
    fac.append(facility("cn_magnets", "CN", RECIPE, {"ndfeb": 1}, cn_magnets, VAR_COST["magnet"][0],
                        f"REPORTED China's NdFeB output ~300 kt in 2024 (Argus [R2]; blank basis), as 2025 capacity, "
                        f"+{CN_GROWTH:.0%}/yr ASSUMED; recipe ASSUMED {RECIPE}"))  # fmt: skip
    for fid, region, cap, src in NON_CN_MAGNETS:
        fac.append(facility(fid, region, RECIPE, {"ndfeb": 1}, cap, VAR_COST["magnet"][1], src))
    for fid, region, stage, cap, src in COMMITTED:
        ins, outs = STAGE_IO[stage]
        fac.append(facility(fid, region, ins, outs, cap, VAR_COST[stage.split(":")[0]][1], src))
    fac += recycling_facilities()
    existing = {f["id"] for f in fac}
    for _oid, fid, region, stage, *_rest in PROJECTS + DEAL_PROJECTS:
        if fid not in existing:
            ins, outs = STAGE_IO[stage]
            var, var_src = PROJECT_VAR_COST.get(fid, (VAR_COST[stage.split(":")[0]][1], ""))
            src = "candidate: see its build option" + (f"; variable cost {var_src}" if var_src else "")
            fac.append(facility(fid, region, ins, outs, 0, var, src))
            existing.add(fid)
    for stage, region in greenfield_sites(with_deals=True):
        ins, outs = STAGE_IO[stage]
        fid = f"{region.lower()}_new_{stage.replace(':', '_')}"
        fac.append(
            facility(fid, region, ins, outs, 0, VAR_COST[stage.split(":")[0]][1], "candidate greenfield site")
        )
    return fac


def recycling_facilities() -> list[dict[str, Any]]:
    out = []
    for region in RECYCLE_SITES:
        base = EX_CHINA[region] * SCRAP_SHARE
        feed = {y: round(base * (1 + SCRAP_GROWTH) ** (y - 2025)) for y in YEARS}
        out.append(
            facility(
                f"{region.lower()}_scrap_feed",
                region,
                {},
                {"magnet_scrap": 1},
                feed,
                500,
                f"ASSUMED collectable scrap {SCRAP_SHARE:.0%} of 2025 demand, +{SCRAP_GROWTH:.0%}/yr",
            )
        )
        rec = facility(
            f"{region.lower()}_recycling",
            region,
            {"magnet_scrap": 1},
            RECYCLE_OUT,
            0,
            8_000,
            "candidate recycling plant; recovery ASSUMED 80% of the recipe's rare earths",
        )
        rec["provenance"] = "own"
        out.append(rec)
    return out  # fmt: skip


def greenfield_sites(with_deals: bool) -> list[tuple[str, str]]:
    out = [(stage, r) for stage, sites in GREENFIELD_SITES.items() for r in sites]
    if with_deals:
        out += [
            (stage, r) for sites in DEAL_SITES.values() for stage, regions in sites.items() for r in regions
        ]
    return out


def ree_build_options(techban: bool = False, with_deals: bool = False) -> list[dict[str, Any]]:
    """Announced projects and greenfield options (and, with_deals, the options the MOUs open)."""
    options: list[dict[str, Any]] = []
    projects = PROJECTS + DEAL_PROJECTS if with_deals else PROJECTS
    for oid, fid, _region, _stage, kind, size, cost, lead_key, earliest, lead_override, src in projects:
        lead, lead_src = LEAD[lead_key]
        if lead_override is not None:
            lead, lead_src = lead_override, "lead time from the project's reported schedule"
        row: dict[str, Any] = {"id": oid, "facility": fid, "kind": kind, "lead_time": lead, "earliest_start": earliest,
                               "lifetime": LIFETIME.get(oid, 25)}  # fmt: skip
        if kind == "discrete":
            row.update({"fixed_cost": cost, "module_size": size, "max_count": 1})
        else:
            row.update({"capex": cost, "max_capacity": size})
        row["source"] = f"{src}; lead {lead} yr ({lead_src})"
        if oid in INVESTOR:
            row["investor"] = INVESTOR[oid]
        options.append(row)
    for stage, region in greenfield_sites(with_deals):
        st = stage.split(":")[0]
        capex, cap, src = GREENFIELD[st]
        lead, lead_src = LEAD[(st, "greenfield")]
        src = f"{src}; lead {lead} yr ({lead_src})"
        if techban and st in ("sep", "magnet"):
            capex, lead = round(capex * 1.25), lead + 1
            src += "; technology ban (MOFCOM No. 62): capex x1.25, lead +1 yr ASSUMED (no Chinese equipment or experts)"
        fid = f"{region.lower()}_new_{stage.replace(':', '_')}"
        options.append({"id": f"{fid}_build", "facility": fid, "kind": "continuous", "capex": capex,
                        "max_capacity": cap, "lead_time": lead, "lifetime": 25, "source": src})  # fmt: skip
    for region in RECYCLE_SITES:
        options.append({"id": f"{region.lower()}_recycling_build", "facility": f"{region.lower()}_recycling",
                        "kind": "continuous", "capex": 30_000, "max_capacity": 10_000, "lead_time": 2, "lifetime": 20,
                        "source": "ASSUMED US$30k per t/yr of scrap, lead 2 yr (recyclers such as ReElement: US$80m "
                        "OSC loan REPORTED, capacity not disclosed)"})  # fmt: skip
    return options


# The buyer's origin rule of US defence magnets (REPORTED: 10 U.S.C. 4872 as implemented by DFARS 225.7018 and
# 252.225-7052): until 31 Dec 2026 no NdFeB or SmCo magnet melted or produced in China (or another covered
# country); from 1 Jan 2027 also none whose Nd, Pr, Sm, Dy or Tb was mined, refined or separated there
# (the full chain). Credibility audit 2025-12, item 10.
DFARS = {
    "id": "dfars",
    "description": "DFARS 225.7018 (10 U.S.C. 4872): no magnet produced in China until 2026; from 1 Jan 2027 no "
    "Chinese-mined or -refined Nd, Pr, Sm, Dy or Tb anywhere in the chain",
    "max_share": 0.0,
    "elements": ["Nd", "Pr", "Sm", "Dy", "Tb"],
    "full_chain_from": 2027,
}


def ree_demand() -> list[dict[str, Any]]:
    """China as one row per year; the allies' rows by end use (US defence separate, class `dfars`)."""
    rows = []
    for y in YEARS:
        g = (1 + DEMAND_GROWTH) ** (y - 2025)
        growth_src = f"IEA GCMO 2024 APS growth {DEMAND_GROWTH:.2%}/yr"
        rows.append(
            {
                "region": "CN",
                "commodity": "ndfeb",
                "year": y,
                "quantity": round(CN_DEMAND_2025 * g),
                "compliance": "any",
                "source": f"DERIVED world {WORLD_MAGNETS:,.0f} t (what 2025 separated NdPr "
                f"supports, less {NON_MAGNET_NDPR:.0%} non-magnet use) minus demand outside China; {growth_src}",
            }
        )
        for region, total in EX_CHINA.items():
            defence = US_DEFENCE_2025 * g if region == "US" else 0.0
            for use, share in END_USE_SHARE.items():
                rows.append(
                    {
                        "region": region,
                        "commodity": "ndfeb",
                        "year": y,
                        "end_use": use,
                        "quantity": round((total * g - defence) * share),
                        "compliance": "any",
                        "source": f"DERIVED 2024 imports from China ({EXPORT_SHARE[region]:.0%} x {CN_EXPORTS_2024:,} "
                        f"t, share ASSUMED) + own output {OWN_OUTPUT[region]:,} t; end-use share {share:.0%} "
                        f"ASSUMED; {growth_src}",
                    }
                )
            if defence:
                rows.append(
                    {
                        "region": region,
                        "commodity": "ndfeb",
                        "year": y,
                        "end_use": "defence",
                        "quantity": round(defence),
                        "compliance": "dfars",
                        "source": "ASSUMED US defence demand; its origin rule DFARS 225.7018 (class dfars)",
                    }
                )
    return rows  # fmt: skip


def ree_routes() -> list[dict[str, Any]]:
    blocs = sorted({b for _, _, b, _, _ in REGIONS})
    groups = {"conc": "conc_lree;conc_hree;conc_monazite", "oxide": "ndpr_oxide;dy_oxide;tb_oxide;hre_fraction",
              "metal": "ndpr_metal", "magnet": "ndfeb"}  # fmt: skip
    return [
        {"from_bloc": a, "to_bloc": b, "commodities": groups[g], "cost": ROUTE_COST[g],
         "source": "ASSUMED freight and handling per t"}
        for a in blocs for b in blocs for g in groups
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------------------------
# Controls (MOFCOM), as the record shows them. Quantities are shares of China's reference exports of what
# each control lists: its 2025 exports of those items in the baseline plan (DERIVED, printed by main()).
APRIL_ELEMENTS = ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"]  # MOFCOM/GAC Announcement No. 18 (4 Apr 2025)
OCTOBER_ELEMENTS = APRIL_ELEMENTS + ["Ho", "Er", "Tm", "Eu", "Yb"]  # + No. 57 (9 Oct 2025): 12 of 17
PROCESSED = ["separation", "metal", "magnet"]
APRIL_OBSERVED_2025 = 0.98  # REPORTED Jan-Nov 2025 magnet exports 51,440 t, -2% y/y (Reuters, Dec 2025 [R2])
DEEP_CUT = 0.26  # DERIVED May 2025 magnet exports 1,238 t, -74% y/y (GACC via WSJ [R2])
OCTOBER_SHARE = 0.5  # ASSUMED licences granted for half of reference exports under the October rules
CONTROL_PRICE = 3.0  # DERIVED Argus Europe Dy oxide US$700-1,000/kg vs US$250-310/kg before (May 2025 [R2])
MY_RAW_BAN = {
    "id": "my_raw_ree_export_ban",
    "exporter": "MY",
    "commodities": ["conc_lree", "conc_hree"],
    "kind": "ban",
    "source": "REPORTED Malaysia bans raw REE exports since Jan 2024; its trade minister said on 29 Oct 2025 "
    "the ban stays, the US included [R2]",
}


def april_observed(reference: float) -> dict[str, Any]:
    return {
        "id": "cn_no18_apr2025", "exporter": "CN", "elements": APRIL_ELEMENTS, "stages": PROCESSED,
        "kind": "share", "amount": APRIL_OBSERVED_2025, "reference": reference, "reference_year": 2025,
        "start": 2025, "end": 2025,
        "source": "REPORTED MOFCOM/GAC Announcement No. 18 (4 Apr 2025): licensing of Sm, Gd, Tb, Dy, Lu, Sc, Y and "
        "items containing them, incl. magnets. As observed: May exports 1,238 t (-74% y/y; WSJ Jun 2025), July "
        f"+5.7%, Jan-Nov 51,440 t, -2% y/y (Reuters Dec 2025 [R2]) -> 2025 share {APRIL_OBSERVED_2025} of "
        "reference; general licences from Nov "
        "2025 (White House fact sheet, 1 Nov 2025 [R2]): no binding quantity after 2025",
    }  # fmt: skip


def deep_cut(reference: float, scenarios: list[str] | None) -> dict[str, Any]:
    c = {
        "id": "cn_no18_deep_cut", "exporter": "CN", "elements": APRIL_ELEMENTS, "stages": PROCESSED, "kind": "share",
        "amount": DEEP_CUT, "reference": reference, "reference_year": 2025, "start": 2026,
        "source": f"DERIVED the May 2025 trough (-74% y/y) sustained from 2026: share {DEEP_CUT}; a stress, not the "
        "record",
    }  # fmt: skip
    return c | ({"scenarios": scenarios} if scenarios else {})


def october_reinstated(reference: float, scenarios: list[str] | None) -> dict[str, Any]:
    c = {
        "id": "cn_oct2025_rules", "exporter": "CN", "elements": OCTOBER_ELEMENTS, "stages": PROCESSED,
        "kind": "share", "amount": OCTOBER_SHARE, "reference": reference, "reference_year": 2025, "start": 2027,
        "extraterritorial": True, "de_minimis": 0.001,
        "source": "REPORTED MOFCOM No. 57 (Ho, Er, Tm, Eu, Yb added: 12 of 17 REEs), No. 61 (foreign products with "
        "Chinese-origin RE content >= 0.1% of value, from 1 Dec 2025), No. 62 (technology); all suspended by "
        "No. 70 until 10 Nov 2026 [R2]. Reinstated from 2027 here; licensed share "
        f"{OCTOBER_SHARE} ASSUMED",
    }  # fmt: skip
    return c | ({"scenarios": scenarios} if scenarios else {})


def full_ban(scenarios: list[str] | None) -> dict[str, Any]:
    c = {
        "id": "cn_full_ban", "exporter": "CN", "elements": ALL_REE, "kind": "ban", "start": 2027,
        "extraterritorial": True,
        "source": "ASSUMED worst case: no rare earths in any form (ore included) to anyone from 2027, and no "
        "Chinese-origin content in foreign products",
    }  # fmt: skip
    return c | ({"scenarios": scenarios} if scenarios else {})


def mp_stops_sales() -> dict[str, Any]:
    return {
        "id": "us_conc_to_china_stopped", "region": "US", "commodity": "conc_lree",
        "buyer": "China (Shenghe offtake)", "quantity": {2025: round(32_703 / 2), 2026: 0},
        "source": f"DERIVED MP sold 32,703 t REO in 2024 ({MP_2024}), nearly all to China; it stopped sales to China "
        "in July 2025 (REPORTED): half of 2024's in 2025, none after",
    }  # fmt: skip


SALES = [
    {
        "id": "th_conc_to_china", "region": "TH", "commodity": "conc_lree", "buyer": "China", "quantity": 13_000,
        "source": f"REPORTED {USGS}: Thailand 13,000 t, estimated from China's import data, i.e. sold to China; "
        "ASSUMED to continue",
    },
    {
        "id": "lynas_ndpr_outside", "region": "MY", "commodity": "ndpr_oxide",
        "buyer": "customers outside the allies' modelled magnet demand (China, non-magnet uses)",
        "quantity": round(ALLIED_NDPR_2025 - ALLIED_NDPR_USE_2025, -2),
        "source": f"DERIVED allied NdPr output 2025 ({ALLIED_NDPR_2025:,.0f} t: Lynas 6,558 t FY25, MP ~2,500 t, "
        f"Silmet, Solvay, India) less what allied metal and magnet plants use ({ALLIED_NDPR_USE_2025:,.0f} t) was "
        "sold outside the allies' modelled demand; attributed to Lynas, since MP stopped sales to China in "
        "July 2025",
    },
]  # fmt: skip


def scenarios_stochastic() -> list[dict[str, Any]]:
    price = [{"region": "CN", "commodity": c, "factor": CONTROL_PRICE, "start": 2026}
             for c in ("dy_oxide", "tb_oxide", "ndfeb")]  # fmt: skip
    return [
        {"name": "status_quo", "probability": 0.55,
         "description": "April licensing as observed in 2025; the October rules stay suspended",
         "source": "ASSUMED probability (no public estimate exists)"},
        {"name": "april_deep_cut", "probability": 0.15, "price": price, "revealed": 2026,
         "description": "the May 2025 trough (-74%) sustained from 2026; Chinese export prices x3",
         "source": "ASSUMED probability"},
        {"name": "october_reinstated", "probability": 0.25, "price": [dict(p, start=2027) for p in price],
         "revealed": 2027,
         "description": "the October rules return when the suspension ends (10 Nov 2026), from 2027",
         "source": "ASSUMED probability"},
        {"name": "full_ban", "probability": 0.05, "revealed": 2027,
         "description": "no Chinese rare earths in any form to anyone from 2027",
         "source": "ASSUMED probability"},
    ]  # fmt: skip


def stochastic_controls(reference: float) -> list[dict[str, Any]]:
    return [
        dict(MY_RAW_BAN),
        *[dict(c) for c in CLAY_TO_CHINA],
        april_observed(reference),
        deep_cut(reference, ["april_deep_cut"]),
        october_reinstated(reference, ["october_reinstated"]),
        full_ban(["full_ban"]),
    ]


# ---------------------------------------------------------------------------------------------------------
# The deals in the news, each a switchable part of allied-frameworks-2025 (what the record says each commits).
def deals() -> list[dict[str, Any]]:
    malaysia = [f"build_options:{r.lower()}_new_{s.replace(':', '_')}_build"
                for s, rs in DEAL_SITES["us_malaysia"].items() for r in rs]  # fmt: skip
    thailand = [f"build_options:{r.lower()}_new_{s.replace(':', '_')}_build"
                for s, rs in DEAL_SITES["us_thailand"].items() for r in rs]  # fmt: skip
    return [
        {"id": "us_australia", "name": "US-Australia Framework", "signed": "2025-10-20",
         "description": "At least US$1 bn each from the US and Australia within six months, toward a US$8.5 bn "
         "project pipeline (price floors, offtakes, stockpiles, a supply-security response group)",
         "parts": ["policies.budgets:us_au_first_tranche", "finance.concessional:nolans_us_au_equity",
                   "finance.concessional:browns_range_exim"],
         "source": "REPORTED White House (20 Oct 2025) via manmonthly, minerals.org.au [R2]; named projects: "
         "Nolans (equity, modelled), Alcoa-Sojitz gallium (in the gallium instance's scope, not here), EXIM "
         "letters of interest >US$2.2 bn incl. Browns Range (modelled: EXIM finance of its DFS project)"},
        {"id": "us_japan", "name": "US-Japan Framework", "signed": "2025-10-28",
         "description": "Financial support for jointly selected projects (magnets among them) within six months; "
         "consideration of a complementary stockpile; a rapid response group. Non-binding",
         "parts": ["finance.concessional:japan_project_finance"],
         "source": "REPORTED (27-28 Oct 2025, Trump-Takaichi) via dpa-AFX, rareearthexchanges [R2]; the "
         "stockpile it 'considers' is the US's own (us_nds)"},
        {"id": "us_malaysia", "name": "US-Malaysia MOU", "signed": "2025-10-26",
         "description": "Malaysia will not ban or impose quotas on rare-earth exports to the US and will work with "
         "US companies on processing; its Jan 2024 ban on raw exports stays, the US included",
         "parts": malaysia,
         "source": "REPORTED via worldecr, minersnews [R2]; Malaysian trade minister, 29 Oct 2025. Modelled as the "
         "Malaysian greenfield options open to allied investment (ASSUMED reading); the no-quota promise "
         "matches today's status quo, so it has no counterfactual here"},
        {"id": "us_thailand", "name": "US-Thailand MOU", "signed": "2025-10-26",
         "description": "Cooperation from exploration to processing and recycling; non-binding, subject to Thai law",
         "parts": thailand,
         "source": "REPORTED via cnnbc/laospost [R2]; modelled as Thai greenfield separation and magnet options "
         "open to allied investment (ASSUMED reading)"},
        {"id": "us_dod_mp", "name": "US DoD - MP Materials partnership", "signed": "2025-07-10",
         "description": "NdPr price floor US$110/kg for 10 years; offtake of all 10X magnets; US$400m equity; a "
         "US$150m loan for heavy rare-earth separation; US$1 bn JPM/GS financing for 10X",
         "parts": ["price_floors:dod_ndpr_floor", "offtakes:dod_10x_offtake", "facilities:mp_10x_magnets",
                   "facilities:mp_heavy_circuit"],
         "when_off": [{"part": "facilities:mp_heavy_circuit", "delay": 2,
                       "source": "ASSUMED: without the US$150m DoD loan the heavy circuit comes 2 years later"}],
         "source": "REPORTED DoD 10 Jul 2025; MP 10-Q Q3 2025 [R2]: 10X is financed by the deal (equity, offtake, "
         "the JPM/GS loan) so it is absent without it; the stop of concentrate sales to China is in every case "
         "(not modelled as the deal's)"},
        {"id": "us_nds", "name": "US National Defense Stockpile (OBBBA)", "signed": "2025-07-04",
         "description": "US$2 bn for the National Defense Stockpile: a US magnet stock drawn in disruptions",
         "parts": ["stockpiles:us_nds_magnets"],
         "source": "REPORTED One Big Beautiful Bill Act (4 Jul 2025): US$2 bn for the NDS [R2]; a US lever, not "
         "the Japan framework's"},
    ]  # fmt: skip


# Concessional finance: what a government loan or equity costs the allies all in, real: a sovereign's
# funding cost (~2%) plus an expected loss (~3%) on a risky project, ASSUMED.
CONCESSIONAL_RATE = 0.05


def framework_levers() -> dict[str, Any]:
    jp_2025 = EX_CHINA["JP"]
    return {
        "policies": {"budgets": [
            {"id": "us_au_first_tranche", "investor": ["US", "AU"], "amount": 2.0e9, "kind": "floor", "start": 2025,
             "end": 2026, "source": "REPORTED >= US$1 bn each within six months (US-Australia Framework, 20 Oct "
             "2025): overnight capex of US and Australian builds starting 2025-2026 of at least US$2 bn"},
        ]},
        "finance": {"hurdle_rates": [dict(h) for h in HURDLE_RATES], "concessional": [
            {"id": "nolans_us_au_equity", "options": ["nolans"], "rate": CONCESSIONAL_RATE, "kind": "equity",
             "amount": 400e6,
             "source": "REPORTED US-Australia Framework named project: Australian equity US$100m, the US considering "
             "up to US$300m (manmonthly 22 Oct 2025; Creamer Media 21 Oct 2025 [R2]); rate ASSUMED (see "
             "CONCESSIONAL_RATE)"},
            {"id": "browns_range_exim", "options": ["browns_range"], "rate": CONCESSIONAL_RATE, "kind": "loan",
             "amount": round(592e6 * USD_PER_AUD),
             "source": "REPORTED US EXIM letters of interest >US$2.2 bn under the US-Australia Framework, Northern "
             "Minerals' Browns Range among them (manmonthly 22 Oct 2025; Creamer Media 21 Oct 2025 [R2]); amount "
             "ASSUMED up to the DFS capex; rate ASSUMED (see CONCESSIONAL_RATE)"},
            {"id": "japan_project_finance", "options": ["jp_new_magnet_build", "jp_new_sep_hree_build"],
             "rate": CONCESSIONAL_RATE, "kind": "loan", "amount": 0.5e9,
             "source": "REPORTED Japanese finance for jointly selected projects within six months (US-Japan "
             "Framework, 28 Oct 2025 [R2]); amount undisclosed, US$0.5 bn ASSUMED (JOGMEC's Lynas finance: US$250m "
             "2011, A$200m 2023); Japanese magnet and heavy-separation builds as the projects ASSUMED"},
        ]},
        "stockpiles": [
            {"id": "jogmec_magnets", "region": "JP", "commodity": "ndfeb", "capacity": round(60 / 365 * jp_2025),
             "initial": round(60 / 365 * jp_2025), "build_capex": 1_000, "build_lead_time": 1,
             "max_build": round(120 / 365 * jp_2025), "holding_cost": 0.05 * PRICE["ndfeb"], "days_of_cover": 60,
             "drawdown": True, "refill_rate": round(60 / 365 * jp_2025 / 3),
             "source": "REPORTED JOGMEC targets 60 days of consumption, up to 180 for high-risk items, drawn in "
             "disruptions (IEA policy database); modelled at magnet level, where demand is; a stock at the 60-day "
             "target in 2025 and storage up to 180 days from 2026 ASSUMED (volumes undisclosed); refilled over 3 "
             "years, storage capex and holding cost (5% of the price per year) ASSUMED"},
            {"id": "us_nds_magnets", "region": "US", "commodity": "ndfeb", "build_capex": 1_000,
             "max_build": round(180 / 365 * EX_CHINA["US"]), "build_lead_time": 1,
             "holding_cost": 0.05 * PRICE["ndfeb"], "days_of_cover": 60, "cover": "soft", "cover_penalty": 200_000,
             "cover_start": 2027, "drawdown": True, "refill_rate": round(60 / 365 * EX_CHINA["US"] / 3),
             "source": "REPORTED OBBBA (Jul 2025) US$2 bn for the National Defense Stockpile [R2]; the US-Japan "
             "framework only 'considers' a complementary stockpile, so it is the US's own lever. 60-day soft target from 2027, drawn in disruptions, storage for at most "
             "180 days (as JOGMEC's ceiling), penalty US$200/kg short and storage capex ASSUMED"},
        ],
        "price_floors": [
            {"id": "dod_ndpr_floor", "facility": "mp_mountain_pass_sep", "commodity": "ndpr_oxide", "floor": 110_000,
             "start": 2025, "end": 2034, "in_objective": False,
             "source": "REPORTED DoD NdPr price floor US$110/kg for 10 years from 1 Oct 2025 (DoD 10 Jul 2025; MP "
             "10-Q Q3 2025 [R2]); pays the gap to the market (the NdPr price path). A transfer: reported in the "
             "support table, not steering the plan"},
        ],
        "offtakes": [
            {"id": "dod_10x_offtake", "facility": "mp_10x_magnets", "commodity": "ndfeb", "price": PRICE["ndfeb"],
             "quantity": {y: round(7_000 * r) for y, r in zip((2028, 2029, 2030), RAMPS["magnet"], strict=True)},
             "reference_price": PRICE["ndfeb"], "start": 2028,
             "source": "REPORTED DoD 10-year offtake of all 10X magnets, commissioning 2028 [R2]; quantity = the "
             "plant's output as it ramps up (magnet ramp 40%/75%/100%, ASSUMED); price ASSUMED at the reference "
             "(no premium disclosed)"},
        ],
    }  # fmt: skip


# ---------------------------------------------------------------------------------------------------------
HORIZON = {"base_year": 2025, "discount_rate": 0.05, "years": YEARS, "last_weight": 1}
OBJECTIVE = {"risk_weight": 0, "unmet_penalty": 1_000_000}
HEADER = """{title}
{question}
Whose plan: the allies' (US, allies and partners): their costs, imports from outside at the exporter's price,
sales to China where the record shows them, and the value of their own demand not served, by end use.
Built by instances/build_instances.py from sourced figures; every row of the CSV tables carries its source
(REPORTED / DERIVED / ASSUMED). The first period (2025) is calibrated to 2024-2025 data (USGS MCS 2025,
IEA 2025, China customs, company reports). See instances/SOURCES.md."""


# Ramp-up of new capacity by stage (share of nameplate in its 1st, 2nd, ... year of output): REEx, "Magnet gold
# rush or mirage?" (Nov 2025): new plants run at 30-50% of nameplate for 12-24 months; MP made 1,294 t NdPr in
# 2024 against a >6,000 t/yr design (MP 2024 results). Mines ASSUMED a little faster, metal lines simpler.
# Recyclers (their oxide line a hydrometallurgical separation circuit) ASSUMED to ramp as separation does.
RAMPS = {
    "mining": [0.5, 0.8, 1],
    "separation": [0.4, 0.75, 1],
    "recycling": [0.4, 0.75, 1],
    "metal": [0.5, 1],
    "magnet": [0.4, 0.75, 1],
}
# Build rates: new magnet capacity per allied region and year. Neo Narva added 2 kt in ~2.5 yr, MP 10X 7 kt in
# ~3 yr, Vulcan 'up to 10 kt over several years' (credibility audit 2025-12, item 3): at most 3 kt/yr coming
# online per region, widening by 0.25 t/yr per t/yr built there (learning, ASSUMED). Separation ASSUMED one
# Iluka-size plant a year per region (17.5 kt REO feed).
MAGNET_REGIONS = sorted({r for st, sites in GREENFIELD_SITES.items() if st == "magnet" for r in sites}
                        | {"TH"})  # fmt: skip
SEP_REGIONS = sorted({r for st, sites in GREENFIELD_SITES.items() if st.startswith("sep") for r in sites}
                     | {"MY", "TH"})  # fmt: skip


# Schedule risk, crossed with the control scenarios (controls-stochastic, controls-cvar): projects without an
# investment decision slip 2 years and committed ones 1 year with probability 0.4 (ASSUMED), known from 2027.
# Observed: Iluka Eneabba due 2025, now 2027 (+2); Arafura Nolans' decision 2022 -> 2026 (+4); MP's heavy
# circuit on time (credibility audit 2025-12, item 4).
SCHEDULE_RISK = {"cases": [
    {"name": "on_time", "probability": 0.6, "description": "every project on its stated date",
     "source": "ASSUMED probability"},
    {"name": "late", "probability": 0.4, "revealed": 2027,
     "description": "projects without an investment decision 2 years late, committed ones 1 year",
     "slips": [{"projects": "pre_fid", "years": 2}, {"projects": "committed", "years": 1}],
     "source": "DERIVED slips from Iluka Eneabba (2025 -> 2027) and Arafura Nolans (FID 2022 -> 2026) [R2]; "
     "probability ASSUMED"},
]}  # fmt: skip


# Uncertain inputs of the stochastic instances (critmin sensitivity): no public value, so a range each.
UNCERTAIN = [
    {"id": "value_of_lost_load", "parameter": "voll", "low": 0.5, "high": 2.0,
     "source": "ASSUMED: the value of a tonne not served by end use has no public estimate; 0.5x-2x as the "
     "credibility audit 2025-12 (item 9) asks for leverage and VSS"},
    {"id": "capex", "parameter": "capex", "low": 0.8, "high": 1.5,
     "source": "DERIVED from the spread of reported capex per t/yr (magnets US$83k-143k; separation "
     "US$13.7k-65k, SOURCES.md); overruns weigh more than savings"},
    {"id": "import_prices", "parameter": "imports", "low": 0.7, "high": 1.6,
     "source": "DERIVED: NdPr US$55-88/kg over 2024-25 (a Chinese price cut to the low end, the 2025 peak at "
     "the high end)"},
    {"id": "demand_growth", "parameter": "demand", "low": 0.9, "high": 1.1,
     "source": "ASSUMED +-10% on every year's demand (IEA GCMO scenarios differ by more over 2030-35)"},
    {"id": "build_rates", "parameter": "build_rate", "low": 0.5, "high": 1.5,
     "source": "DERIVED from observed magnet builds: Neo Narva 2 kt in 2.5 yr (~0.8 kt/yr), MP 10X 7 kt in 3 yr "
     "(~2.3 kt/yr) against the 3 kt/yr per region assumed (SOURCES.md, Build dynamics)"},
    {"id": "lead_times", "parameter": "lead_time", "low": 0.8, "high": 1.5,
     "source": "DERIVED from observed schedules: Iluka Eneabba FID 2022, output promised 2025, now 2027 (x1.67); "
     "Neo Narva 2.5 yr against 3 yr assumed (x0.83); rounded to whole years"},
    {"id": "p_full_ban", "parameter": "probability", "scenario": "full_ban", "low": 0.01, "high": 0.3,
     "source": "ASSUMED: no public estimate of a full ban's probability"},
    {"id": "p_october_reinstated", "parameter": "probability", "scenario": "october_reinstated", "low": 0.05,
     "high": 0.6, "source": "ASSUMED: the October rules' return after Nov 2026 has no public odds"},
]  # fmt: skip


# The EU Critical Raw Materials Act (Regulation (EU) 2024/1252, art. 5(1)(b)): by 2030 no more than 65% of
# the EU's annual consumption of each strategic raw material, at any relevant stage of processing, from a
# single third country; and (art. 5(1)(a)) EU capacity able to produce 10% (extraction), 40% (processing) and
# 25% (recycling) of that consumption. A policy set for EU questions, off as written (--deal-on eu_crma).
EU_REGIONS = ("EU", "EE", "FR")
CRMA_COMMODITIES = ["ndpr_oxide", "ndpr_metal", "dy_oxide", "tb_oxide", "ndfeb"]
CRMA_CAPS = [
    {"id": f"crma_single_supplier_{r.lower()}", "region": r, "commodities": list(CRMA_COMMODITIES),
     "share": 0.65, "start": 2030,
     "source": "REPORTED EU CRMA (Regulation (EU) 2024/1252) art. 5(1)(b): at most 65% of each strategic raw "
     "material from a single third country by 2030; applied per EU region of the model"}
    for r in EU_REGIONS
]  # fmt: skip
# The EU's consumption is measured as the NdPr oxide in its magnet demand (0.295 t per t NdFeB, the recipe);
# extraction in t REO of concentrate, at the light basket's 20% NdPr (YIELDS). eu_crma reports how far a plan
# is from each benchmark in 2030; eu_crma_capacity holds the plan to the processing and recycling ones (the
# model has no EU mine project — LKAB Per Geijer and Norra Karr are not modelled — so extraction is only
# reported).
CRMA_STAGES = (("extraction", "mining", "conc_lree", NDPR_PER_MAGNET / YIELDS["lree"]["ndpr_oxide"], 0.10),
               ("processing", "separation", "ndpr_oxide", NDPR_PER_MAGNET, 0.40),
               ("recycling", "recycling", "ndpr_oxide", NDPR_PER_MAGNET, 0.25))  # fmt: skip


def crma_benchmarks(enforce: bool) -> list[dict[str, Any]]:
    """The CRMA's art. 5(1)(a) benchmarks for 2030: reported (every stage) or held (processing, recycling)."""
    return [
        {"id": f"crma_{name}" + ("_held" if enforce else ""), "regions": list(EU_REGIONS), "stage": stage,
         "commodity": commodity, "basis": "ndfeb", "per_unit": round(per_unit, 4), "share": share,
         "enforce": enforce, "start": 2030, "end": 2030,
         "source": f"REPORTED EU CRMA (Regulation (EU) 2024/1252) art. 5(1)(a): EU {name} capacity able to "
         f"produce {share:.0%} of annual consumption by 2030; consumption DERIVED as the NdPr oxide in the EU "
         "regions' magnet demand (recipe)"}
        for name, stage, commodity, per_unit, share in CRMA_STAGES
        if not enforce or name != "extraction"
    ]  # fmt: skip


CRMA_DEAL = {
    "id": "eu_crma", "name": "EU Critical Raw Materials Act benchmark (65% single-supplier cap)",
    "signed": "2024-04-11", "in_force": False,
    "description": "From 2030 no single third country supplies more than 65% of the EU's rare-earth oxides, "
    "metal or magnets; how far the plan is from the 10/40/25% capacity benchmarks is reported. Off as "
    "written: switch it on with --deal-on eu_crma for EU questions",
    "parts": [f"policies.max_supplier_share:{c['id']}" for c in CRMA_CAPS]
    + [f"policies.capacity_benchmarks:{b['id']}" for b in crma_benchmarks(enforce=False)],
    "source": "REPORTED Regulation (EU) 2024/1252 (adopted 11 Apr 2024) [R2]",
}  # fmt: skip
CRMA_CAPACITY_DEAL = {
    "id": "eu_crma_capacity", "name": "EU CRMA capacity benchmarks held (40% processing, 25% recycling by 2030)",
    "signed": "2024-04-11", "in_force": False,
    "description": "EU separation capacity able to make 40%, and recycling capacity 25%, of the EU's NdPr "
    "consumption in 2030 (the benchmarks as requirements). Off as written: --deal-on eu_crma_capacity",
    "parts": [f"policies.capacity_benchmarks:{b['id']}" for b in crma_benchmarks(enforce=True)],
    "source": "REPORTED Regulation (EU) 2024/1252 (adopted 11 Apr 2024) [R2]",
}  # fmt: skip


def build_rates() -> list[dict[str, Any]]:
    out = [{"id": f"{r.lower()}_magnet_rate", "region": r, "stage": "magnet", "limit": 3_000, "learning": 0.25,
            "source": "DERIVED from observed magnet plant builds (Neo Narva 2 kt / 2.5 yr; MP 10X 7 kt / 3 yr): "
            "3 kt/yr per region; learning 0.25 ASSUMED"} for r in MAGNET_REGIONS]  # fmt: skip
    out += [{"id": f"{r.lower()}_separation_rate", "region": r, "stage": "separation", "limit": 17_500,
             "source": "ASSUMED one Iluka-size separator (17.5 kt REO feed/yr) coming online a year per region"}
            for r in SEP_REGIONS]  # fmt: skip
    return out


# Dy thrifting: grain-boundary diffusion (GBD) puts Dy/Tb only at the grain boundaries and cuts Dy per tonne of
# sintered NdFeB by about half (ASSUMED from the manufacturers' statements), adopted by a growing share of
# output; its process cost per t of Dy saved ASSUMED US$100/kg.
THRIFTS = [
    {"id": "gbd_dy", "commodity": "dy_oxide", "stage": "magnet", "saving": 0.5,
     "adoption": {2025: 0.3, 2028: 0.5, 2030: 0.7}, "cost": 100_000,
     "source": "ASSUMED: grain-boundary diffusion halves Dy per t of magnet; 30% of output in 2025, 50% from 2028, "
     "70% from 2030; US$100/kg of Dy saved"},
]  # fmt: skip


# Myanmar's and Laos's ionic clay goes overland to China (Kachin: China's imports from Myanmar, USGS MCS 2025;
# 2024 imports from Myanmar -32% in the KIA disruption, credibility audit 2025-12): none to the allies.
CLAY_TO_CHINA = [
    {"id": f"{r.lower()}_clay_to_china", "exporter": r, "commodities": ["conc_hree"], "destinations": list(
        PLANNER["members"]), "kind": "ban",
     "source": f"REPORTED {name} ionic-clay concentrate goes overland to Chinese separators (USGS MCS 2025: "
     "estimated from China's import data [R2]); no route to allied separators: modelled as a ban on allied "
     "destinations (ASSUMED reading)"}
    for r, name in (("MM", "Myanmar's"), ("LA", "Laos's"))
]  # fmt: skip
# Cost of capital: allied greenfield needs 8-12% real (credibility audit 2025-12, item 6); 10% ASSUMED for
# every build the allies make unless finance backs it. The horizon's 5% still discounts each year's costs.
HURDLE_RATES = [
    {"id": "private_projects", "rate": 0.10,
     "source": "ASSUMED midpoint of 8-12% real required by private rare-earth projects outside China "
     "(credibility audit 2025-12, item 6)"},
]  # fmt: skip
# NdPr prices: US$88/kg in 2025 (Aug 2025: 632k CNY/t, Reuters via Northern Miner [R2]) against the US$55/kg
# list price (2024); US$72/kg from 2026 ASSUMED (midpoint of 2024 and the 2025 peak). Metal follows oxide.
NDPR_PATH = {2025: round(88 / 55, 3), 2026: round(72 / 55, 3)}
PRICE_PATHS = [
    {"id": f"{c}_2025_spike", "commodity": c, "factors": dict(NDPR_PATH),
     "source": "REPORTED NdPr oxide ~US$88/kg in Aug 2025 (632k CNY/t; Reuters via Northern Miner [R2]) = x1.6 "
     "of the 2024 list price; x1.31 (US$72/kg) from 2026 ASSUMED; metal moves with oxide (DERIVED)"}
    for c in ("ndpr_oxide", "ndpr_metal")
]  # fmt: skip


# Market shocks (issue 24): a Chinese price war aimed at allied plants, and Kachin (KIA) fighting cutting
# Myanmar's clay to China. Neither is a control; both are what a plan to 2035 must survive.
WAR_NDPR = 45_000  # ASSUMED US$45/kg: below the 2024 trough of US$50-55/kg (price list above); the domain
# research's "China price war: NdPr < US$50/kg" scenario (domain-data.md, policy scenario 5)
WAR_START = 2027
# The NdPr path above puts 2026+ at x1.309 of the list price for every seller; a factor on top of it brings
# NdPr oxide and metal to US$45/kg from 2027 (x0.625 of US$72/kg). Magnets fall by their NdPr content
# (0.295 t/t x US$10/kg below the 2024 list): x0.94 of the 2024 customs value (DERIVED).
WAR_FACTOR = round(WAR_NDPR / (55_000 * NDPR_PATH[2026]), 3)
WAR_MAGNET = round(1 - NDPR_PER_MAGNET * (55_000 - WAR_NDPR) / PRICE["ndfeb"], 3)
KIA_CUT = (
    0.68  # REPORTED China's 2024 rare-earth imports from Myanmar -32% in the KIA disruption (Reuters/CSIS
)
# 2025, credibility audit 2025-12 item 8)


def market_shock_scenarios() -> list[dict[str, Any]]:
    """Status quo, a Chinese price war from 2027, a Kachin disruption from 2026 (probabilities ASSUMED)."""
    war = [{"id": f"{c}_price_war", "commodity": c, "scenarios": ["price_war"],
            "factors": {2025: 1.0, WAR_START: WAR_FACTOR if c != "ndfeb" else WAR_MAGNET},
            "source": f"ASSUMED China's price war: NdPr oxide and metal at US${WAR_NDPR / 1000:g}/kg from {WAR_START}, "
            "below the 2024 trough (US$50-55/kg, Fastmarkets via USGS MCS 2025); every seller's price follows "
            "China's (China sets the market); magnets by their NdPr content (DERIVED)"}
           for c in ("ndpr_oxide", "ndpr_metal", "ndfeb")]  # fmt: skip
    scenarios = [
        {"name": "status_quo", "probability": 0.6,
         "description": "April licensing as observed in 2025; prices as the NdPr path; Myanmar as in 2024",
         "source": "ASSUMED probability (no public estimate exists)"},
        {"name": "price_war", "probability": 0.25, "revealed": WAR_START,
         "description": f"China cuts NdPr to US${WAR_NDPR / 1000:g}/kg from {WAR_START} (magnets with it) to "
         "undercut the allied plants now being built",
         "source": "ASSUMED probability; the price path price_war (price_paths)"},
        {"name": "kia_disruption", "probability": 0.15, "revealed": 2026,
         "availability": [{"region": "MM", "factor": KIA_CUT, "start": 2026}],
         "description": "Kachin fighting keeps Myanmar's ionic-clay output 32% down from 2026 (the 2024 cut, "
         "sustained): less heavy feed for China's separators, so less Dy and Tb for export",
         "source": "REPORTED 2024 imports from Myanmar -32% (Reuters/CSIS 2025); sustained from 2026 and "
         "probability ASSUMED"},
    ]  # fmt: skip
    return scenarios, war  # type: ignore[return-value]


POLICY_SETS = [CRMA_DEAL, CRMA_CAPACITY_DEAL]  # off as written, in every rare-earth instance


def add_deals(inst: dict[str, Any]) -> None:
    """The deals in the news and what they finance (levers, finance, stockpiles, floors, offtakes), beside
    the policy sets every rare-earth instance carries."""
    levers = framework_levers()
    levers["policies"] = {**inst["policies"], **levers["policies"]}
    inst.update(levers)
    inst["deals"] = [*deals(), *(dict(d) for d in POLICY_SETS)]


def ree_common(
    name: str, description: str, reference: float, build_options: str = "build_options.csv"
) -> dict:
    return {
        "name": name,
        "description": description,
        "units": {"quantity": "t", "currency": "USD"},
        "horizon": dict(HORIZON),
        "regions": "regions.csv",
        "commodities": "commodities.csv",
        "facilities": "facilities.csv",
        "build_options": build_options,
        "route_defaults": "route_defaults.csv",
        "demand": "demand.csv",
        "end_uses": END_USES,
        "compliance_classes": [dict(DFARS)],
        "ramps": {k: list(v) for k, v in RAMPS.items()},
        "build_rates": build_rates(),
        "thrifts": [dict(t) for t in THRIFTS],
        "planner": dict(PLANNER),
        "policies": {
            "max_supplier_share": [dict(c) for c in CRMA_CAPS],
            "capacity_benchmarks": crma_benchmarks(False) + crma_benchmarks(True),
        },
        "deals": [dict(d) for d in POLICY_SETS],
        "finance": {"hurdle_rates": [dict(h) for h in HURDLE_RATES]},
        "price_paths": [dict(p) for p in PRICE_PATHS],
        "export_controls": [dict(MY_RAW_BAN), *[dict(c) for c in CLAY_TO_CHINA], april_observed(reference)],
        "sales": [mp_stops_sales(), *SALES],
        "objective": dict(OBJECTIVE),
    }


def write_ree_tables() -> None:
    REE.mkdir(exist_ok=True)
    write_csv(REE / "regions.csv", ree_regions())
    write_csv(REE / "commodities.csv", ree_commodities())
    write_csv(REE / "facilities.csv", ree_facilities())
    write_csv(REE / "build_options.csv", ree_build_options())
    write_csv(REE / "build_options_techban.csv", ree_build_options(techban=True))
    write_csv(REE / "build_options_frameworks.csv", ree_build_options(with_deals=True))
    write_csv(REE / "demand.csv", ree_demand())
    write_csv(REE / "route_defaults.csv", ree_routes())


def build_ree(reference: float) -> None:
    """Write every rare-earth instance; `reference` is China's 2025 exports of the listed items (t)."""
    write_ree_tables()
    base = ree_common(
        "rare-earths-2024-baseline",
        "Rare-earth magnet chain at country level, calibrated to 2024-2025, without Chinese export controls "
        "(the counterfactual the control cases are compared with).",
        reference,
    )
    base["export_controls"] = [dict(MY_RAW_BAN), *[dict(c) for c in CLAY_TO_CHINA]]
    write_yaml(REE / "baseline-2024.yaml", HEADER.format(
        title="rare-earths-2024-baseline",
        question="Question: with today's chain and announced projects, what do the allies build and where do they "
        "source to 2035 if China adds no controls (the counterfactual every control case is compared with)?",
    ), base)  # fmt: skip

    apr = ree_common(
        "china-controls-apr2025",
        "Baseline plus China's April 2025 licensing of seven medium/heavy REEs and magnets, as observed: a deep "
        "cut in May, recovery from July, -2% over January-November.",
        reference,
    )
    write_yaml(REE / "china-controls-apr2025.yaml", HEADER.format(
        title="china-controls-apr2025",
        question="Question: what did the April 2025 licensing, as observed, cost the allies, and what does it "
        "change in their plan?",
    ), apr)  # fmt: skip

    oct_ = ree_common(
        "china-controls-oct2025",
        "April 2025 licensing as observed, then the October 2025 rules (12 REEs, 0.1% de-minimis reach into "
        "foreign products, technology ban) when their suspension ends on 10 Nov 2026.",
        reference,
        build_options="build_options_techban.csv",
    )
    oct_["export_controls"].append(october_reinstated(reference, None))
    oct_["scenarios"] = [{"name": "reinstated", "probability": 1.0,
                          "price": [{"region": "CN", "commodity": c, "factor": CONTROL_PRICE, "start": 2027}
                                    for c in ("dy_oxide", "tb_oxide", "ndfeb")],
                          "source": f"Chinese export prices x{CONTROL_PRICE:g} under the rules: DERIVED from Argus "
                          "Europe Dy oxide after the April controls [R2]"}]  # fmt: skip
    write_yaml(REE / "china-controls-oct2025.yaml", HEADER.format(
        title="china-controls-oct2025",
        question="Question: if the October 2025 rules return after their suspension (incl. the 0.1% de-minimis "
        "reach into allied products and the technology ban), what chain must the allies build?",
    ), oct_)  # fmt: skip

    st = ree_common(
        "controls-stochastic",
        "Two-stage plan: builds now, sourcing by control scenario (the 2025 record, a sustained deep cut, the "
        "October rules reinstated, a full ban).",
        reference,
    )
    st["scenarios"] = scenarios_stochastic()
    st["export_controls"] = stochastic_controls(reference)
    st["schedule_risk"] = SCHEDULE_RISK
    st["uncertain"] = [dict(u) for u in UNCERTAIN]
    write_yaml(REE / "controls-stochastic.yaml", HEADER.format(
        title="controls-stochastic",
        question="Question: which builds hedge best across China's control scenarios and the projects' schedule "
        "risk? Builds decided before a scenario is revealed are shared; later builds and sourcing adapt.\n"
        "Scenario and schedule-case probabilities are ASSUMED.",
    ), st)  # fmt: skip

    cv = dict(st, name="controls-cvar", description="controls-stochastic with CVaR: a plan that also minimises "
              "the mean cost of the worst 10% of control scenarios.")  # fmt: skip
    cv["objective"] = dict(OBJECTIVE, cvar_weight=1.0, cvar_alpha=0.9)
    write_yaml(REE / "controls-cvar.yaml", HEADER.format(
        title="controls-cvar",
        question="Question: which builds make the plan hold up in the worst 10% of control scenarios?\n"
        "Objective: expected cost + 1.0 x CVaR_0.9 of scenario costs; probabilities ASSUMED as in "
        "controls-stochastic.",
    ), cv)  # fmt: skip

    fw = ree_common(
        "allied-frameworks-2025",
        "controls-stochastic plus the deals in the news, each a switchable part: US-Australia, US-Japan, "
        "US-Malaysia, US-Thailand and the DoD-MP partnership; JOGMEC's 60-day stockpile, drawn in disruptions.",
        reference,
        build_options="build_options_frameworks.csv",
    )
    fw["scenarios"] = scenarios_stochastic()
    fw["export_controls"] = stochastic_controls(reference)
    add_deals(fw)
    fw["uncertain"] = [dict(u) for u in UNCERTAIN]
    write_yaml(REE / "allied-frameworks-2025.yaml", HEADER.format(
        title="allied-frameworks-2025",
        question="Question: what do the October 2025 deals add to the allies' plan across China's control "
        "scenarios? Switch one off with --deal-off to measure it.",
    ), fw)  # fmt: skip

    ms = ree_common(
        "market-shocks-2027",
        "allied-frameworks-2025's deals under two shocks that are not controls: a Chinese price war on NdPr and "
        "magnets from 2027 aimed at the allied plants now being built, and Kachin fighting cutting Myanmar's "
        "ionic clay (China's heavy feed) by a third from 2026.",
        reference,
        build_options="build_options_frameworks.csv",
    )
    scen, war = market_shock_scenarios()
    ms["scenarios"] = scen
    ms["price_paths"] = [*ms["price_paths"], *war]
    add_deals(ms)
    write_yaml(REE / "market-shocks-2027.yaml", HEADER.format(
        title="market-shocks-2027",
        question="Question: which allied plants would a Chinese price war strand, which does the deals' backing "
        "keep running, and what does a Kachin disruption of China's heavy feed cost the allies? "
        "Compare a scenario's plan with --scenario price_war.",
    ), ms)  # fmt: skip


# ---------------------------------------------------------------------------------------------------------
GA_YEARS = [2025, 2026, 2027, 2028, 2030, 2032]
GA_USGS = "USGS MCS 2025 gallium (2024e primary low-purity, kg -> t) [R2-verified]"
GA_GROWTH = 0.05  # ASSUMED demand and Chinese capacity growth
GA_SPLIT = {"CN": 0.55, "JP": 0.15, "US": 0.12, "EU": 0.08, "KR": 0.07, "ROW": 0.03}  # ASSUMED
GA_SCRAP = 0.20  # ASSUMED new scrap (wafer and device manufacturing) per t of refined gallium used
GA_END_USES = [
    {"id": "semiconductors", "description": "GaAs RF chips and GaN power devices", "value": 5_000_000,
     "source": "ASSUMED US$5,000/kg (10x the high-purity price): grams per device, no quick substitute"},
    {"id": "ga_other", "description": "LEDs, CIGS solar, NdFeB magnet additive, alloys", "value": 2_000_000,
     "steps": [{"share": 0.3, "value": 800_000}],
     "source": "ASSUMED US$2,000/kg; 30% can be thrifted or substituted at ~US$800/kg"},
    {"id": "ga_defence", "description": "defence radar and electronic warfare (GaN)", "value": 50_000_000,
     "source": "ASSUMED US$50,000/kg: must-serve"},
]  # fmt: skip


def _ga_regions() -> list[dict[str, Any]]:
    regions = [("CN", "China", "adversary", -0.3), ("RU", "Russia", "adversary", -0.9), ("JP", "Japan", "ally", 0.95),
               ("KR", "South Korea", "ally", 0.61), ("US", "United States", "home", 0.03),
               ("AU", "Australia", "ally", 0.92), ("EU", "European Union", "ally", 0.47), ("CA", "Canada", "ally", 0.82),
               ("ROW", "Other importers", "partner", 0.0)]  # fmt: skip
    return [{"id": r, "name": n, "bloc": b, "risk": risk_score(b, w), "controlled_origin": r == "CN",
             "source": "risk DERIVED as for rare earths; ROW a partner as for rare earths (ASSUMED)"}
            for r, n, b, w in regions]  # fmt: skip


def _ga_facilities() -> list[dict[str, Any]]:
    def grow_ga(q: float) -> dict[int, float]:
        return {y: round(q * (1 + GA_GROWTH) ** (y - 2025), 1) for y in GA_YEARS}

    refine = ({"ga_primary": 1.1}, {"ga_refined": 1})
    fac = [
        facility("cn_primary", "CN", {}, {"ga_primary": 1}, grow_ga(750), 150_000,
                 f"REPORTED {GA_USGS}: China 750 t (99%); growth ASSUMED 5%/yr"),
        facility("ru_primary", "RU", {}, {"ga_primary": 1}, 6, 180_000, f"REPORTED {GA_USGS}: Russia 6 t"),
        facility("jp_primary", "JP", {}, {"ga_primary": 1}, 3, 200_000, f"REPORTED {GA_USGS}: Japan 3 t"),
        facility("kr_primary", "KR", {}, {"ga_primary": 1}, 3, 200_000, f"REPORTED {GA_USGS}: Korea 3 t"),
        facility("au_wagerup", "AU", {}, {"ga_primary": 1}, 0, 180_000,
                 "candidate: Alcoa-Sojitz Wagerup gallium (see its build option)"),
        facility("cn_refining", "CN", *refine, grow_ga(260), 30_000,
                 "ASSUMED China ~80% of high-purity refining; 1.1 t primary per t refined ASSUMED"),
        facility("jp_refining", "JP", *refine, 45, 40_000, "ASSUMED Japan ~45 t"),
        facility("us_refining", "US", *refine, 10, 40_000, "ASSUMED US ~10 t"),
        facility("eu_refining", "EU", *refine, 10, 40_000, "ASSUMED EU (Slovakia, Germany) ~10 t"),
        facility("ca_refining", "CA", *refine, 20, 40_000,
                 "ASSUMED Canada ~20 t (5N Plus refines gallium in Canada; capacity undisclosed)"),
    ]  # fmt: skip
    for r, cap in (("JP", 60), ("US", 15), ("CA", 15), ("EU", 15)):
        fac.append(
            facility(
                f"{r.lower()}_ga_scrap",
                r,
                {},
                {"ga_scrap": 1},
                {
                    y: round(320 * GA_SPLIT.get(r, 0.05) * GA_SCRAP * (1 + GA_GROWTH) ** (y - 2025), 1)
                    for y in GA_YEARS
                },
                1_000,
                f"ASSUMED new scrap {GA_SCRAP:.0%} of the region's gallium use (Canada: as 5% of demand, "
                "from imported scrap)",
            )
        )
        fac.append(facility(f"{r.lower()}_secondary", r, {"ga_scrap": 1.1}, {"ga_refined": 1}, cap, 30_000,
                            "REPORTED USGS: 280 t/yr of secondary (scrap) refining capacity worldwide [R2]; split "
                            "by country ASSUMED"))  # fmt: skip
    for r in ("US", "CA", "EU", "JP"):
        fac.append(
            facility(
                f"{r.lower()}_new_primary",
                r,
                {},
                {"ga_primary": 1},
                0,
                200_000,
                "candidate greenfield recovery at an alumina refinery",
            )
        )
    for r in ("US", "JP", "EU", "KR", "AU"):
        fac.append(
            facility(f"{r.lower()}_new_refining", r, *refine, 0, 40_000, "candidate greenfield refinery")
        )
    return fac


def _ga_options() -> list[dict[str, Any]]:
    options = [{"id": "alcoa_sojitz_wagerup", "facility": "au_wagerup", "kind": "discrete", "fixed_cost": 200e6,
                "module_size": 100, "max_count": 1, "lead_time": 2, "earliest_start": 2026, "lifetime": 20,
                "source": "REPORTED Alcoa: 100 t/yr at Wagerup (Alcoa-Sojitz-JOGMEC; US-Australia framework's first "
                "project) [R2]; up to US$200m Australian equity as capex proxy; lead time ASSUMED"}]  # fmt: skip
    for r in ("US", "CA", "EU", "JP"):
        options.append({"id": f"{r.lower()}_new_primary_build", "facility": f"{r.lower()}_new_primary",
                        "capex": 2_500_000, "max_capacity": 100, "lead_time": 3, "lifetime": 20,
                        "source": "ASSUMED US$2.5m per t/yr, lead 3 yr"})  # fmt: skip
    for r in ("US", "JP", "EU", "KR", "AU"):
        options.append({"id": f"{r.lower()}_new_refining_build", "facility": f"{r.lower()}_new_refining",
                        "capex": 1_000_000, "max_capacity": 100, "lead_time": 2, "lifetime": 20,
                        "source": "ASSUMED US$1m per t/yr, lead 2 yr"})  # fmt: skip
    return options


def _ga_demand() -> list[dict[str, Any]]:
    dem = []
    for y in GA_YEARS:
        g = (1 + GA_GROWTH) ** (y - 2025)
        src = "REPORTED high-purity refined output 320 t (2024, USGS) x ASSUMED share and growth 5%/yr"
        for r, sh in GA_SPLIT.items():
            q = 320 * sh * g
            if r == "CN":
                dem.append(
                    {
                        "region": r,
                        "commodity": "ga_refined",
                        "year": y,
                        "quantity": round(q, 1),
                        "compliance": "any",
                        "source": src,
                    }
                )
                continue
            defence = 5 * g if r == "US" else 0.0
            for use, share in (("semiconductors", 0.6), ("ga_other", 0.4)):
                dem.append(
                    {
                        "region": r,
                        "commodity": "ga_refined",
                        "year": y,
                        "end_use": use,
                        "quantity": round((q - defence) * share, 1),
                        "compliance": "any",
                        "source": f"{src}; end-use share {share:.0%} ASSUMED",
                    }
                )
            if defence:
                dem.append(
                    {
                        "region": r,
                        "commodity": "ga_refined",
                        "year": y,
                        "end_use": "ga_defence",
                        "quantity": round(defence, 1),
                        "compliance": "clear",
                        "source": "ASSUMED US defence demand",
                    }
                )
    return dem  # fmt: skip


def build_gallium() -> None:
    GA.mkdir(exist_ok=True)
    comm = [
        {"id": "ga_primary", "stage": "primary", "description": "low-purity primary gallium (99.99%), t",
         "elements": "Ga", "price": 220_000, "source": "REPORTED USGS MCS 2025 low-purity US$220/kg (2024)"},
        {"id": "ga_refined", "stage": "refined", "description": "high-purity refined gallium (6N+), t",
         "elements": "Ga", "price": 500_000, "source": "REPORTED USGS MCS 2025 high-purity US$500/kg (2024)"},
        {"id": "ga_scrap", "stage": "end-of-life", "description": "new gallium scrap (wafer and device making), t Ga",
         "elements": "Ga", "source": "not traded here"},
    ]  # fmt: skip
    blocs = sorted({r["bloc"] for r in _ga_regions()})
    routes = [{"from_bloc": a, "to_bloc": b, "commodities": "ga_primary;ga_refined", "cost": 2_000,
               "source": "ASSUMED freight per t"} for a in blocs for b in blocs]  # fmt: skip
    for name, rows in (
        ("regions", _ga_regions()),
        ("commodities", comm),
        ("facilities", _ga_facilities()),
        ("build_options", _ga_options()),
        ("demand", _ga_demand()),
        ("route_defaults", routes),
    ):
        write_csv(GA / f"{name}.csv", rows)  # fmt: skip
    data = {
        "name": "gallium-2024",
        "description": "Gallium chain with China's 2023 licensing and the US ban that may return after its "
        "suspension ends in November 2026.",
        "units": {"quantity": "t", "currency": "USD"},
        "horizon": {"base_year": 2025, "discount_rate": 0.05, "years": GA_YEARS, "last_weight": 1},
        "regions": "regions.csv", "commodities": "commodities.csv", "facilities": "facilities.csv",
        "build_options": "build_options.csv", "route_defaults": "route_defaults.csv", "demand": "demand.csv",
        "end_uses": GA_END_USES,
        "planner": dict(PLANNER),
        "export_controls": [
            {"id": "cn_ga_licensing", "exporter": "CN", "elements": ["Ga"], "kind": "share", "amount": 0.3,
             "reference": 750, "reference_year": 2024,
             "source": "REPORTED Aug 2023 export licensing (USGS MCS 2025); reference = China's 2024 primary output "
             "(exports undisclosed) and share 0.3 ASSUMED"},
            {"id": "cn_ga_us_ban", "exporter": "CN", "elements": ["Ga"], "destinations": ["US"], "kind": "ban",
             "extraterritorial": True, "start": 2027, "scenarios": ["us_ban_reinstated"],
             "source": "REPORTED Dec 2024 ban on Ga exports to the US, suspended until 27 Nov 2026 (MOFCOM, 9 Nov "
             "2025 [R2]); reinstatement from 2027 is the scenario; extraterritorial ASSUMED"},
        ],
        "scenarios": [
            {"name": "licensing_only", "probability": 0.6, "source": "ASSUMED probability"},
            {"name": "us_ban_reinstated", "probability": 0.4, "revealed": 2027,
             "source": "ASSUMED probability; known when the suspension ends (27 Nov 2026)"},
        ],
        "deals": [
            {"id": "us_australia", "name": "US-Australia Framework", "signed": "2025-10-20",
             "parts": ["build_options:alcoa_sojitz_wagerup"],
             "source": "REPORTED Alcoa-Sojitz gallium named as a first project (up to US$200m Australian equity plus "
             "US equity) [R2]"},
            {"id": "us_japan", "name": "US-Japan Framework", "signed": "2025-10-28",
             "parts": ["build_options:alcoa_sojitz_wagerup"],
             "source": "REPORTED Japan (Sojitz/JOGMEC) funds half of Wagerup [R2]: the project needs either backer"},
        ],
        "objective": {"risk_weight": 0, "unmet_penalty": 5_000_000},
    }  # fmt: skip
    write_yaml(
        GA / "gallium-2024.yaml",
        """gallium-2024
Question: with China making ~99% of primary gallium and licensing exports, and a US ban that may return after
its suspension ends in November 2026, which allied gallium recovery and refining should the allies build?
Whose plan: the allies' (US, allies and partners). Built by instances/build_instances.py; every row carries
its source. See instances/SOURCES.md.""",
        data,
    )


def baseline_exports() -> tuple[float, float]:
    """China's 2025 exports in the baseline plan: of the April list's items (Dy, Tb oxide and magnets), and
    of magnets alone, t (DERIVED; the first is the share controls' reference)."""
    sys.path.insert(0, str(ROOT.parent / "src"))
    from critmin import load_instance, solve

    sol = solve(load_instance(REE / "baseline-2024.yaml"))
    f = sol.flows
    cn = f[(f.origin == "CN") & (f.year == 2025)]
    listed = cn[cn.commodity.isin(["dy_oxide", "tb_oxide", "ndfeb"])].quantity.sum()
    return float(round(listed, -1)), float(cn[cn.commodity == "ndfeb"].quantity.sum())


def main() -> None:
    build_ree(reference=1.0)  # write the baseline first, then derive the controls' reference exports
    reference, magnets = baseline_exports()
    build_ree(reference=reference)
    build_gallium()
    print(f"baseline China exports of Dy, Tb and magnets (2025): {reference:,.0f} t (magnets {magnets:,.0f} t; "
          f"customs 2024: {CN_EXPORTS_2024:,} t)")  # fmt: skip
    print(f"world mine capacity 2025 {WORLD_MINE_2025:,.0f} t; China separation capacity {CN_SEP_TOTAL:,.0f} t; "
          f"NdPr 2025: China {_CN_NDPR:,.0f} t, elsewhere {_REST_NDPR:,.0f} t; world magnets {WORLD_MAGNETS:,.0f} t "
          f"(China demand {CN_DEMAND_2025:,.0f} t, elsewhere {sum(EX_CHINA.values()):,} t)")  # fmt: skip


if __name__ == "__main__":
    main()
