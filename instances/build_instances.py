"""Build the bundled real-world instances from sourced figures.

Every figure below carries its source and a tag: REPORTED (read in the source), DERIVED (arithmetic from
reported figures, shown), ASSUMED (our choice where no source gives a number). instances/SOURCES.md explains
each group. Run from the repository root:

    python instances/build_instances.py          # rewrites instances/rare-earths/ and instances/gallium/

The written files are committed; tests/test_instances.py checks they match this script.
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

# ---------------------------------------------------------------------------------------------------------
# Regions. risk = 0.5 x bloc score + 0.5 x governance score, governance = clip((1.5 - WGI_PS) / 4, 0, 1);
# bloc score adversary 1, neutral 0.5, partner 0.3, ally 0.1, home 0 (the weights are ASSUMED).
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
    ("ROW", "Rest of world", "neutral", 0.0, "ASSUMED"),
]


def risk_score(bloc: str, wgi: float) -> float:
    gov = min(max((1.5 - wgi) / 4.0, 0.0), 1.0)
    return round(0.5 * BLOC_SCORE[bloc] + 0.5 * gov, 3)


# ---------------------------------------------------------------------------------------------------------
# Commodities. Quantities in t of oxide (REO basis for concentrates), t of metal, t of magnet.
COMMODITIES = [
    (
        "conc_lree",
        "mining",
        "light-RE concentrate (bastnaesite/monazite), t REO",
        None,
        "ore class ASSUMED from deposit type",
    ),
    (
        "conc_hree",
        "mining",
        "ionic-adsorption clay concentrate (heavy-RE rich), t REO",
        None,
        "ore class ASSUMED from deposit type",
    ),
    (
        "ndpr_oxide",
        "separation",
        "NdPr oxide",
        60_000,
        "REPORTED NdPr oxide fob China US$50-60/kg 2024 (Fastmarkets)",
    ),
    (
        "dy_oxide",
        "separation",
        "Dy oxide",
        260_000,
        "REPORTED USGS MCS 2025 Dy oxide 2024 avg US$260/kg (Argus)",
    ),
    (
        "tb_oxide",
        "separation",
        "Tb oxide",
        810_000,
        "REPORTED USGS MCS 2025 Tb oxide 2024 avg US$810/kg (Argus)",
    ),
    (
        "other_reo",
        "separation",
        "lumped remainder: La, Ce, Sm, Gd, Y and other oxides",
        None,
        "lumped; not priced",
    ),
    ("ndpr_metal", "metal", "NdPr metal", None, "intermediate; not priced"),
    ("ndfeb", "magnet", "sintered NdFeB magnet", 100_000, "ASSUMED ~US$100/kg"),
    (
        "magnet_scrap",
        "end-of-life",
        "end-of-life NdFeB magnet scrap (swarf, motors, drives)",
        None,
        "collectable scrap ASSUMED",
    ),
]

# Recycling (ASSUMED): collectable end-of-life magnet scrap = 2% of a region's 2025 magnet demand, growing
# 10%/yr; a recycling plant recovers 0.24 t NdPr oxide, 0.008 t Dy and 0.0012 t Tb oxide per t of scrap
# (80% of the RE in the magnet recipe); its output takes the recycler's origin (provenance 'own').
SCRAP_SHARE, SCRAP_GROWTH = 0.02, 0.10
RECYCLE_OUT = {"ndpr_oxide": 0.24, "dy_oxide": 0.008, "tb_oxide": 0.0012}
RECYCLE_SITES = ["US", "JP", "EU", "KR"]

# Separation yields per t REO of concentrate (ASSUMED typical basket shares; remainder lumped).
YIELDS = {
    "lree": {"ndpr_oxide": 0.20, "dy_oxide": 0.002, "tb_oxide": 0.0003},
    "hree": {"ndpr_oxide": 0.25, "dy_oxide": 0.04, "tb_oxide": 0.007},
    "lynas": {"ndpr_oxide": 0.25, "dy_oxide": 0.003, "tb_oxide": 0.0005},
    "ef2": {"ndpr_oxide": 0.20, "dy_oxide": 0.008, "tb_oxide": 0.0022},
    "iluka": {"ndpr_oxide": 0.20, "dy_oxide": 0.010, "tb_oxide": 0.0020},
}
YIELD_SOURCE = {
    "lree": "ASSUMED light-ore basket: NdPr 20%, Dy 0.2%, Tb 0.03% of REO",
    "hree": "ASSUMED ionic-clay basket: NdPr 25%, Dy 4%, Tb 0.7% of REO",
    "lynas": "ASSUMED Mt Weld basket: NdPr 25%, Dy 0.3%, Tb 0.05% (heavy circuit since 2025)",
    "ef2": "DERIVED Energy Fuels Phase 2 BFS: >6,000 t NdPr + 240 t Dy + 66 t Tb from ~30,000 t REO feed",
    "iluka": "ASSUMED Eneabba monazite-xenotime basket: NdPr 20%, Dy 1%, Tb 0.2%",
}


def sep_outputs(kind: str) -> dict[str, float]:
    y = dict(YIELDS[kind])
    y["other_reo"] = round(1.0 - sum(y.values()), 6)
    return y


# Metal: 1 t NdPr metal from 1.18 t NdPr oxide (DERIVED: oxide->metal mass ratio 0.857, 1% loss).
METAL_INPUT = 1.18
# Magnet recipe per t NdFeB (ASSUMED typical sintered-grade mix): 0.25 t NdPr metal, 0.009 t Dy, 0.0015 t Tb.
RECIPE = {"ndpr_metal": 0.25, "dy_oxide": 0.009, "tb_oxide": 0.0015}

# ---------------------------------------------------------------------------------------------------------
# Mines, 2024e (t REO/yr), with ore class.
MINES = [
    ("CN", "lree", 249_720, f"DERIVED {USGS}: China 270,000 minus ionic-clay 20,280"),
    ("CN", "hree", 20_280, "DERIVED 2024 ion-adsorption quota: H1 10,140 t (China RE Group) x 2"),
    ("US", "lree", 45_000, f"REPORTED {USGS}: United States 45,000 (Mountain Pass)"),
    ("MM", "hree", 31_000, f"REPORTED {USGS}: Burma 31,000 (ionic clay, est. from China imports)"),
    ("AU", "lree", 13_000, f"REPORTED {USGS}: Australia 13,000 (Mt Weld)"),
    ("NG", "lree", 13_000, f"REPORTED {USGS}: Nigeria 13,000; ore class ASSUMED monazite"),
    ("TH", "lree", 13_000, f"REPORTED {USGS}: Thailand 13,000; ore class ASSUMED monazite"),
    ("IN", "lree", 2_900, f"REPORTED {USGS}: India 2,900 (monazite)"),
    ("RU", "lree", 2_500, f"REPORTED {USGS}: Russia 2,500 (loparite)"),
    ("MG", "hree", 2_000, f"REPORTED {USGS}: Madagascar 2,000; ore class ASSUMED ionic clay"),
    ("VN", "lree", 300, f"REPORTED {USGS}: Vietnam 300"),
    ("MY", "hree", 130, f"REPORTED {USGS}: Malaysia 130; ore class ASSUMED ionic clay"),
    ("BR", "hree", 20, f"REPORTED {USGS}: Brazil 20 (Serra Verde ionic clay ASSUMED)"),
    ("LA", "hree", 1_100, f"REPORTED {USGS}: Other 1,100, ASSUMED mostly Laos ionic clay"),
]
WORLD_MINE = sum(m[2] for m in MINES)  # 390,050 t REO, USGS world 390,000 (rounded)
CN_GROWTH = 0.05  # ASSUMED: China's quotas grew 5.9% 2023->2024 (MIIT via Fastmarkets); 5%/yr kept
YEARS = [2025, 2026, 2027, 2028, 2030, 2032, 2035]

# Separation, existing (t REO feed/yr). China's is set so China separates 91% (IEA 2025) of world output.
SEPARATION = [
    (
        "lynas_malaysia",
        "MY",
        "lynas",
        10_462,
        {2025: 10_462},
        "REPORTED Lynas FY2025 10,462 t REO produced (capacity proxy)",
    ),
    (
        "mp_mountain_pass_sep",
        "US",
        "lree",
        6_500,
        {2025: 6_500},
        "DERIVED MP 2024 ~1,300 t NdPr oxide / 0.20 NdPr share",
    ),
    (
        "ef_white_mesa",
        "US",
        "lree",
        5_000,
        {2025: 5_000},
        "DERIVED Energy Fuels Phase 1 850-1,000 t NdPr / 0.20",
    ),
    ("neo_silmet", "EE", "lree", 3_000, {2025: 3_000}, "REPORTED Neo Silmet 3,000 t/yr"),
    (
        "solvay_la_rochelle",
        "FR",
        "lree",
        2_000,
        {2025: 2_000},
        "REPORTED Solvay La Rochelle 2,000-5,000 t REO (lower bound), inaugurated Apr 2025",
    ),
    ("ireal_india", "IN", "lree", 2_900, {2025: 2_900}, "ASSUMED India separates its own 2,900 t"),
    ("solikamsk_russia", "RU", "lree", 2_500, {2025: 2_500}, "ASSUMED Russia separates its own 2,500 t"),
]
NON_CN_SEP = sum(s[3] for s in SEPARATION)
CN_SEP_TOTAL = round(0.91 * (WORLD_MINE), -2)  # DERIVED 91% x world mine output
CN_SEP_HREE = sum(m[2] for m in MINES if m[1] == "hree")  # China separates all ionic clay (none elsewhere)
CN_SEP_LREE = CN_SEP_TOTAL - CN_SEP_HREE


def world_ndpr() -> float:
    """NdPr oxide separable in the calibration year (separation capacity bound)."""
    total = CN_SEP_LREE * YIELDS["lree"]["ndpr_oxide"] + CN_SEP_HREE * YIELDS["hree"]["ndpr_oxide"]
    total += sum(s[3] * YIELDS[s[2]]["ndpr_oxide"] for s in SEPARATION)
    return total


# World magnet output the separated NdPr supports (DERIVED), and China's 94% of it (IEA 2025).
WORLD_MAGNETS = round(world_ndpr() / (METAL_INPUT * RECIPE["ndpr_metal"]), -3)
CN_MAGNETS = round(0.94 * WORLD_MAGNETS, -3)
NON_CN_MAGNETS = [
    (
        "jp_magnets",
        "JP",
        11_000,
        {2025: 11_000},
        "ASSUMED Japanese makers (Shin-Etsu, TDK, Proterial) ~11 kt",
    ),
    ("vn_magnets", "VN", 2_000, {2025: 2_000}, "ASSUMED Shin-Etsu Vietnam ~2 kt"),
    ("eu_magnets", "EU", 1_500, {2025: 1_500}, "ASSUMED VAC (Germany) ~1.5 kt"),
    (
        "mp_independence",
        "US",
        1_000,
        {2025: 1_000},
        "REPORTED MP Independence ~1,000 t/yr NdFeB, ramp from 2025",
    ),
    (
        "neo_narva",
        "EE",
        2_000,
        {2025: 0, 2026: 2_000},
        "REPORTED Neo Narva 2,000 t/yr Phase 1, opened 19 Sep 2025, ramp 2026",
    ),
]
NON_CN_METAL = [
    ("jp_metal", "JP", 5_000, "ASSUMED Japanese NdPr metal ~5 kt"),
    ("vn_metal", "VN", 3_000, "ASSUMED Vietnamese NdPr metal ~3 kt"),
    ("us_metal", "US", 1_000, "ASSUMED MP NdPr metal ~1 kt at Independence"),
]

# Demand (t NdFeB/yr). 2025 = the world output the separated NdPr supports; growth 5.0%/yr DERIVED from
# IEA GCMO 2024 APS magnet-REE demand 93 kt (2023) -> 131 kt (2030): (131/93)^(1/7) - 1 = 5.0%.
DEMAND_GROWTH = (131 / 93) ** (1 / 7) - 1
DEMAND_SPLIT = {"CN": 0.68, "EU": 0.08, "US": 0.06, "JP": 0.07, "KR": 0.04, "ROW": 0.07}  # ASSUMED
US_CLEAR_2025 = 1_000  # ASSUMED defence / FEOC-free demand, t/yr, growing with the rest


def cn_capacity(base: float) -> dict[int, float]:
    return {y: round(base * (1 + CN_GROWTH) ** (y - 2025)) for y in YEARS}


# ---------------------------------------------------------------------------------------------------------
# Build options: announced projects (public figures) and greenfield options (typical figures).
USD_PER_AUD = 0.65  # ASSUMED exchange rate
USD_PER_EUR = 1.08  # ASSUMED exchange rate
PROJECTS = [
    # id, facility, region, stage/ore, kind, size, cost, lead, earliest, source
    (
        "iluka_eneabba",
        "iluka_eneabba_refinery",
        "AU",
        "sep:iluka",
        "discrete",
        12_100,
        round(1.75e9 * USD_PER_AUD),
        2,
        2025,
        "REPORTED Iluka Eneabba 12,100-18,400 t/yr REO, capex A$1.7-1.8bn, commissioning 2027; DERIVED A$1.75bn"
        " x 0.65",
    ),
    (
        "lynas_seadrift",
        "lynas_seadrift_sep",
        "US",
        "sep:lree",
        "continuous",
        5_000,
        51_600,
        2,
        2025,
        "REPORTED DoD ~US$258m to Lynas Texas, target FY2026 (slipping); capacity 5,000 t REO ASSUMED; DERIVED"
        " 258m/5,000 = US$51.6k per t/yr",
    ),
    (
        "ef_phase2",
        "ef_white_mesa_phase2",
        "US",
        "sep:ef2",
        "discrete",
        30_000,
        410e6,
        2,
        2027,
        "REPORTED Energy Fuels Phase 2 BFS capex US$410m, approvals mid-2027, commissioning Q1 2029; feed DERIVED"
        " 6,000 t NdPr / 0.20",
    ),
    (
        "solvay_expansion",
        "solvay_la_rochelle",
        "FR",
        "sep:lree",
        "discrete",
        3_000,
        round(100e6 * USD_PER_EUR),
        2,
        2025,
        "REPORTED Solvay ~EUR100m for full scale (2,000 -> 5,000 t REO); DERIVED x 1.08",
    ),
    (
        "nolans_mine",
        "arafura_nolans_mine",
        "AU",
        "mine:lree",
        "discrete",
        19_500,
        400e6,
        3,
        2026,
        "REPORTED Arafura Nolans ~5% of future world RE output, FID 2026; DERIVED 5% x 390 kt; capex ASSUMED",
    ),
    (
        "nolans_sep",
        "arafura_nolans_sep",
        "AU",
        "sep:lree",
        "discrete",
        19_500,
        700e6,
        3,
        2026,
        "REPORTED Arafura Nolans mine + separation, FID 2026; capex ASSUMED",
    ),
    (
        "mp_10x",
        "mp_10x_magnets",
        "US",
        "magnet",
        "discrete",
        7_000,
        1.0e9,
        3,
        2025,
        "REPORTED MP 10X brings MP to ~10,000 t/yr (~7,000 new), commissioning 2028, US$1.0bn JPM/GS financing"
        " (capex proxy, DERIVED)",
    ),
    (
        "vulcan_elements",
        "vulcan_magnets",
        "US",
        "magnet",
        "discrete",
        10_000,
        1.22e9,
        3,
        2026,
        "REPORTED Vulcan Elements 10,000 t/yr; US$620m OSC + US$50m CHIPS + US$550m private = US$1.22bn",
    ),
    (
        "usare_stillwater",
        "usare_magnets",
        "US",
        "magnet",
        "discrete",
        5_000,
        500e6,
        2,
        2025,
        "REPORTED USA Rare Earth Stillwater 5,000 t/yr target 2026; capex ASSUMED US$100k per t/yr",
    ),
    (
        "neo_narva_phase2",
        "neo_narva",
        "EE",
        "magnet",
        "discrete",
        3_000,
        round(175e6 * USD_PER_EUR),
        2,
        2026,
        "REPORTED Neo Narva up to 5,000 t/yr, ~EUR250m at full scale vs EUR75m phase 1; DERIVED EUR175m x 1.08",
    ),
]
GREENFIELD = {
    # stage: (capex per t/yr, lead time, max t/yr, source)
    "mine": (20_000, 10, 30_000, "ASSUMED capex; lead 10 yr = low end of 10-16 yr (IEA; S&P 15.7 yr avg)"),
    "sep": (
        40_000,
        5,
        20_000,
        "DERIVED capex between Energy Fuels Phase 2 US$13.7k and Iluka US$94k per t REO/yr; lead 5 yr = "
        "midpoint of 3-7 yr observed builds",
    ),
    "metal": (20_000, 3, 10_000, "ASSUMED capex and lead"),
    "magnet": (
        80_000,
        3,
        20_000,
        "DERIVED capex midpoint of US$40-120k per t/yr (Neo Narva EUR37.5k, Vulcan US$122k); lead 3 yr "
        "= midpoint of 2-4 yr",
    ),
}
GREENFIELD_SITES = {
    "mine:lree": ["US", "AU", "CA", "GL", "BR", "IN", "VN"],
    "mine:hree": ["MY", "BR", "LA"],
    "sep:lree": ["US", "AU", "CA", "JP", "EU", "KR", "MY", "TH", "VN", "IN"],
    "sep:hree": ["US", "AU", "JP", "MY", "BR"],
    "metal": ["US", "JP", "EU", "KR", "VN", "AU"],
    "magnet": ["US", "JP", "EU", "KR", "VN", "IN", "TH"],
}

# Variable costs (USD per t of activity), ASSUMED; China lower.
VAR_COST = {
    "mine": (2_000, 3_500),
    "sep": (4_000, 7_000),
    "metal": (4_000, 7_000),
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


def facility(
    fid: str, region: str, inputs: dict, outputs: dict, capacity: Any, var: float, source: str, name: str = ""
) -> dict[str, Any]:
    row: dict[str, Any] = {"id": fid, "region": region, "name": name}
    for c, v in inputs.items():
        row[f"inputs.{c}"] = v
    for c, v in outputs.items():
        row[f"outputs.{c}"] = v
    if isinstance(capacity, dict):
        for y, v in capacity.items():
            row[f"capacity.{y}"] = v
    else:
        row["capacity.2025"] = capacity
    row["var_cost"] = var
    row["source"] = source
    return row


def ree_tables(techban: bool = False) -> dict[str, list[dict[str, Any]]]:
    regions = [
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
    commodities = [
        {"id": c, "stage": st, "description": d, **({"price": p} if p else {}), "source": s}
        for c, st, d, p, s in COMMODITIES
    ]
    fac: list[dict[str, Any]] = []
    cn = "CN"
    for region, ore, qty, src in MINES:
        cap = cn_capacity(qty) if region == cn else qty
        grow = f"; China capacity +{CN_GROWTH:.0%}/yr ASSUMED" if region == cn else ""
        fac.append(
            facility(
                f"{region.lower()}_mine_{ore}",
                region,
                {},
                {f"conc_{ore}": 1},
                cap,
                VAR_COST["mine"][region != cn],
                src + grow,
            )
        )
    fac.append(
        facility(
            "cn_sep_lree",
            cn,
            {"conc_lree": 1},
            sep_outputs("lree"),
            cn_capacity(CN_SEP_LREE),
            VAR_COST["sep"][0],
            f"DERIVED 91% (IEA 2025) x world {WORLD_MINE:,} t = {CN_SEP_TOTAL:,.0f} minus ionic "
            f"{CN_SEP_HREE:,}; {YIELD_SOURCE['lree']}",
        )
    )
    fac.append(
        facility(
            "cn_sep_hree",
            cn,
            {"conc_hree": 1},
            sep_outputs("hree"),
            cn_capacity(CN_SEP_HREE),
            VAR_COST["sep"][0],
            f"DERIVED China separates all ionic clay mined ({CN_SEP_HREE:,} t); {YIELD_SOURCE['hree']}",
        )
    )
    for fid, region, kind, _qty, cap, src in SEPARATION:
        ore = "lree"
        fac.append(
            facility(
                fid,
                region,
                {f"conc_{ore}": 1},
                sep_outputs(kind),
                cap,
                VAR_COST["sep"][1],
                f"{src}; {YIELD_SOURCE[kind]}",
            )
        )
    cn_metal = round(CN_MAGNETS * RECIPE["ndpr_metal"] * 1.15, -3)
    fac.append(
        facility(
            "cn_metal",
            cn,
            {"ndpr_oxide": METAL_INPUT},
            {"ndpr_metal": 1},
            cn_capacity(cn_metal),
            VAR_COST["metal"][0],
            f"DERIVED China magnet need x 1.15 headroom; {METAL_INPUT} t oxide per t metal DERIVED "
            "(mass ratio 0.857, 1% loss)",
        )
    )
    for fid, region, qty, src in NON_CN_METAL:
        fac.append(
            facility(
                fid, region, {"ndpr_oxide": METAL_INPUT}, {"ndpr_metal": 1}, qty, VAR_COST["metal"][1], src
            )
        )
    fac.append(
        facility(
            "cn_magnets",
            cn,
            RECIPE,
            {"ndfeb": 1},
            cn_capacity(CN_MAGNETS),
            VAR_COST["magnet"][0],
            f"DERIVED 94% (IEA 2025) x world magnets {WORLD_MAGNETS:,.0f} t (what separated NdPr "
            f"supports); recipe ASSUMED {RECIPE}",
        )
    )
    for fid, region, _qty, cap, src in NON_CN_MAGNETS:
        fac.append(facility(fid, region, RECIPE, {"ndfeb": 1}, cap, VAR_COST["magnet"][1], src))

    for region in RECYCLE_SITES:
        share = DEMAND_SPLIT[region]
        feed = {
            y: round(WORLD_MAGNETS * share * SCRAP_SHARE * (1 + SCRAP_GROWTH) ** (y - 2025)) for y in YEARS
        }
        fac.append(
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
        fac.append(rec)

    options: list[dict[str, Any]] = []
    stage_io = {
        "mine:lree": ({}, {"conc_lree": 1}),
        "mine:hree": ({}, {"conc_hree": 1}),
        "sep:lree": ({"conc_lree": 1}, sep_outputs("lree")),
        "sep:hree": ({"conc_hree": 1}, sep_outputs("hree")),
        "sep:ef2": ({"conc_lree": 1}, sep_outputs("ef2")),
        "sep:iluka": ({"conc_lree": 1}, sep_outputs("iluka")),
        "metal": ({"ndpr_oxide": METAL_INPUT}, {"ndpr_metal": 1}),
        "magnet": (RECIPE, {"ndfeb": 1}),
    }
    existing_ids = {f["id"] for f in fac}
    for oid, fid, region, stage, kind, size, cost, lead, earliest, src in PROJECTS:
        if fid not in existing_ids:
            ins, outs = stage_io[stage]
            st = stage.split(":")[0]
            fac.append(facility(fid, region, ins, outs, 0, VAR_COST[st][1], "candidate: " + src))
            existing_ids.add(fid)
        row: dict[str, Any] = {
            "id": oid,
            "facility": fid,
            "kind": kind,
            "lead_time": lead,
            "earliest_start": earliest,
            "lifetime": 25,
        }
        if kind == "discrete":
            row.update({"fixed_cost": cost, "module_size": size, "max_count": 1})
        else:
            row.update({"capex": cost, "max_capacity": size})
        row["source"] = src
        options.append(row)
    for stage, sites in GREENFIELD_SITES.items():
        st = stage.split(":")[0]
        capex, lead, cap, src = GREENFIELD[st]
        if techban and st in ("sep", "magnet"):
            capex, lead = round(capex * 1.25), lead + 1
            src += "; tech ban: capex x1.25, lead +1 yr ASSUMED (no Chinese equipment or experts)"
        ins, outs = stage_io[stage]
        for region in sites:
            fid = f"{region.lower()}_new_{stage.replace(':', '_')}"
            fac.append(facility(fid, region, ins, outs, 0, VAR_COST[st][1], "candidate greenfield site"))
            options.append(
                {
                    "id": f"{fid}_build",
                    "facility": fid,
                    "kind": "continuous",
                    "capex": capex,
                    "max_capacity": cap,
                    "lead_time": lead,
                    "lifetime": 25,
                    "source": src,
                }
            )

    for region in RECYCLE_SITES:
        options.append(
            {
                "id": f"{region.lower()}_recycling_build",
                "facility": f"{region.lower()}_recycling",
                "kind": "continuous",
                "capex": 30_000,
                "max_capacity": 10_000,
                "lead_time": 2,
                "lifetime": 20,
                "source": "ASSUMED US$30k per t/yr of scrap, lead 2 yr (recyclers such as ReElement: "
                "US$80m OSC loan REPORTED, capacity not disclosed)",
            }
        )

    demand = []
    for y in YEARS:
        g = (1 + DEMAND_GROWTH) ** (y - 2025)
        for region, share in DEMAND_SPLIT.items():
            q = WORLD_MAGNETS * share * g
            clear = US_CLEAR_2025 * g if region == "US" else 0
            demand.append(
                {
                    "region": region,
                    "commodity": "ndfeb",
                    "year": y,
                    "quantity": round(q - clear),
                    "compliance": "any",
                    "source": f"DERIVED world {WORLD_MAGNETS:,.0f} t x ASSUMED share {share:.0%} x "
                    f"IEA APS growth {DEMAND_GROWTH:.2%}/yr",
                }
            )
            if clear:
                demand.append(
                    {
                        "region": region,
                        "commodity": "ndfeb",
                        "year": y,
                        "quantity": round(clear),
                        "compliance": "clear",
                        "source": "ASSUMED defence / FEOC-free share of US demand",
                    }
                )
    blocs = sorted({b for _, _, b, _, _ in REGIONS})
    groups = {
        "conc": "conc_lree;conc_hree",
        "oxide": "ndpr_oxide;dy_oxide;tb_oxide",
        "metal": "ndpr_metal",
        "magnet": "ndfeb",
    }
    routes = [
        {
            "from_bloc": a,
            "to_bloc": b,
            "commodities": groups[g],
            "cost": ROUTE_COST[g],
            "source": "ASSUMED freight and handling per t",
        }
        for a in blocs
        for b in blocs
        for g in groups
    ]
    return {
        "regions": regions,
        "commodities": commodities,
        "facilities": fac,
        "build_options": options,
        "demand": demand,
        "route_defaults": routes,
    }


HORIZON = {"base_year": 2025, "discount_rate": 0.05, "years": YEARS, "last_weight": 1}
OBJECTIVE = {"risk_weight": 0, "unmet_penalty": 1_000_000}
MY_RAW_BAN = {
    "id": "my_raw_ree_export_ban",
    "exporter": "MY",
    "commodities": ["conc_lree", "conc_hree"],
    "kind": "ban",
    "source": "REPORTED Malaysia bans raw REE exports since Jan 2024",
}
REE_CONTROLLED = ["dy_oxide", "tb_oxide", "ndfeb"]


def ree_common(name: str, description: str, build_options: str = "build_options.csv") -> dict[str, Any]:
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
        "export_controls": [dict(MY_RAW_BAN)],
        "objective": dict(OBJECTIVE),
    }


HEADER = """{title}
{question}
Built by instances/build_instances.py from sourced figures; every row of the CSV tables carries its source
(REPORTED / DERIVED / ASSUMED). The first period (2025) is calibrated to 2024 data (USGS MCS 2025, IEA 2025).
See instances/SOURCES.md."""


def build_ree(reference: float) -> None:
    apr_share, oct_share = 0.25, 0.10  # of China's baseline exports of the listed items (DERIVED below)
    REE.mkdir(exist_ok=True)
    tables = ree_tables()
    for name in ("regions", "commodities", "facilities", "build_options", "demand", "route_defaults"):
        write_csv(REE / f"{name}.csv", tables[name])
    write_csv(REE / "build_options_techban.csv", ree_tables(techban=True)["build_options"])
    write_csv(REE / "facilities_techban.csv", ree_tables(techban=True)["facilities"])

    base = ree_common(
        "rare-earths-2024-baseline",
        "Rare-earth magnet chain at country level, 2024 calibration, no new Chinese controls.",
    )
    write_yaml(
        REE / "baseline-2024.yaml",
        HEADER.format(
            title="rare-earths-2024-baseline",
            question="Question: with today's chain and announced projects, what gets built and who supplies whom "
            "to 2035 if China does not restrict exports?",
        ),
        base,
    )

    apr = ree_common(
        "china-controls-apr2025",
        "Baseline plus China's April 2025 licensing of medium/heavy REEs and magnets.",
    )
    apr["export_controls"].append(
        {
            "id": "cn_apr2025_licensing",
            "exporter": "CN",
            "commodities": REE_CONTROLLED,
            "kind": "share",
            "amount": apr_share,
            "reference": reference,
            "reference_year": 2025,
            "start": 2025,
            "source": "REPORTED 4 Apr 2025 licensing of Sm, Gd, Tb, Dy, Lu, Sc, Y and related magnets (MOFCOM); "
            "magnet exports fell ~75% (June 2025). DERIVED share = 25% of China's baseline export share "
            "of output. Sm, Gd, Lu, Sc, Y sit in the lumped other_reo, which is not controlled here. "
            "Held for the whole horizon (sustained).",
        }
    )
    write_yaml(
        REE / "china-controls-apr2025.yaml",
        HEADER.format(
            title="china-controls-apr2025",
            question="Question: if China's April 2025 licensing (Dy, Tb and magnets) is sustained, what must "
            "allies build and what is short?",
        ),
        apr,
    )

    oct_ = ree_common(
        "china-controls-oct2025",
        "Baseline plus China's October 2025 rules: 12 REEs, 0.1% de-minimis extraterritorial "
        "rule, technology ban.",
        build_options="build_options_techban.csv",
    )
    oct_["facilities"] = "facilities_techban.csv"
    oct_["export_controls"].append(
        {
            "id": "cn_oct2025_rules",
            "exporter": "CN",
            "commodities": REE_CONTROLLED,
            "kind": "share",
            "amount": oct_share,
            "reference": reference,
            "reference_year": 2025,
            "start": 2025,
            "extraterritorial": True,
            "source": "REPORTED MOFCOM Announcement No. 61 (9 Oct 2025): 12 of 17 REEs, 0.1% de-minimis rule on "
            "foreign products with Chinese-origin RE, technology ban. DERIVED share = 10% of China's "
            "baseline export share (ASSUMED tighter than April). extraterritorial = de-minimis rule. "
            "Modelled as in force for the whole horizon (the Nov 2025 one-year suspension is a scenario in "
            "controls-stochastic).",
        }
    )
    write_yaml(
        REE / "china-controls-oct2025.yaml",
        HEADER.format(
            title="china-controls-oct2025",
            question="Question: under the October 2025 rules (incl. the 0.1% de-minimis reach into allied products "
            "and the technology ban), what chain must allies build?",
        ),
        oct_,
    )

    fw = ree_common(
        "allied-frameworks-2025",
        "April 2025 controls plus the Oct-Nov 2025 allied frameworks: budgets, policies, candidate projects.",
    )
    fw["export_controls"] = apr["export_controls"]
    fw["policies"] = {
        "budgets": [
            {
                "id": "us_au_pipeline",
                "investor": ["US", "AU"],
                "amount": 8.5e9,
                "start": 2025,
                "end": 2030,
                "source": "REPORTED US-Australia Framework (20 Oct 2025): US$8.5bn pipeline",
            },
        ],
        "min_bloc_share": [
            {
                "id": "us_allied_magnets",
                "region": "US",
                "commodities": ["ndfeb"],
                "blocs": ["home", "ally", "partner"],
                "share": 0.5,
                "start": 2030,
                "source": "ASSUMED policy target: half of US magnet supply from the US, allies and partners by "
                "2030 (frameworks name magnets as a joint priority)",
            },
        ],
        "min_service": [
            {
                "id": "us_defence",
                "region": "US",
                "compliance": "clear",
                "share": 1.0,
                "start": 2028,
                "source": "ASSUMED: defence (clear) magnet demand met in full from 2028",
            },
        ],
    }
    fw["objective"] = {"risk_weight": 5_000, "unmet_penalty": 1_000_000}
    fw["stockpiles"] = [
        {
            "id": "jogmec_magnets",
            "region": "JP",
            "commodity": "ndfeb",
            "build_capex": 1_000,
            "holding_cost": 5_000,
            "days_of_cover": 60,
            "cover": "hard",
            "cover_start": 2027,
            "source": "REPORTED JOGMEC targets 60 days of consumption (up to 180 for high-risk items; IEA policy "
            "database); modelled at magnet level, where this instance's demand is. Storage capex and "
            "holding cost (5% of the magnet price per year) ASSUMED",
        },
        {
            "id": "us_complementary_stockpile",
            "region": "US",
            "commodity": "ndfeb",
            "build_capex": 1_000,
            "holding_cost": 5_000,
            "days_of_cover": 60,
            "cover": "soft",
            "cover_penalty": 20_000,
            "cover_start": 2027,
            "source": "REPORTED US-Japan framework considers a complementary stockpile; OBBBA US$2bn for the "
            "National Defense Stockpile. 60-day soft target and penalty ASSUMED",
        },
    ]
    fw["price_floors"] = [
        {
            "id": "dod_ndpr_floor",
            "facility": "mp_mountain_pass_sep",
            "commodity": "ndpr_oxide",
            "floor": 110_000,
            "reference_price": 60_000,
            "start": 2025,
            "end": 2034,
            "in_objective": False,
            "source": "REPORTED DoD NdPr price floor US$110/kg for 10 years (Jul 2025); reference = 2024 NdPr "
            "~US$60/kg (Fastmarkets). A transfer: reported in the support table, not steering the plan",
        },
    ]
    fw["offtakes"] = [
        {
            "id": "dod_10x_offtake",
            "facility": "mp_10x_magnets",
            "commodity": "ndfeb",
            "quantity": 7_000,
            "price": 100_000,
            "reference_price": 100_000,
            "start": 2028,
            "source": "REPORTED DoD 10-year offtake of all 10X magnets, commissioning 2028; price ASSUMED at the "
            "reference (no premium disclosed)",
        },
    ]
    fw["substitutions"] = [
        {
            "id": f"{r.lower()}_dy_free_or_ferrite",
            "commodity": "ndfeb",
            "region": r,
            "share": 0.10,
            "cost": 40_000,
            "source": "ASSUMED up to 10% of magnet demand met by Dy-free designs or ferrite motors at US$40/kg "
            "(substitution is the strongest short-run lever: Keilhacker & Minner 2017)",
        }
        for r in ("US", "JP", "EU", "KR")
    ]
    fw["export_controls"] = [c for c in fw["export_controls"] if c["id"] != "my_raw_ree_export_ban"] + [
        dict(
            MY_RAW_BAN,
            destinations=["adversary", "neutral", "ally", "partner"],
            source="REPORTED US-Malaysia MOU (26 Oct 2025): Malaysia will not ban exports to the US but keeps "
            "its raw REE export ban; modelled as the ban minus the US",
        )
    ]
    write_yaml(
        REE / "allied-frameworks-2025.yaml",
        HEADER.format(
            title="allied-frameworks-2025",
            question="Question: with the US-Australia US$8.5bn pipeline, the US-Japan/Malaysia/Thailand frameworks "
            "and an allied sourcing target, what does the allied chain look like under April-2025 "
            "controls?\nrisk_weight 5,000 USD per risk-weighted t is ASSUMED.",
        ),
        fw,
    )

    st = ree_common(
        "controls-stochastic",
        "Two-stage plan: builds now, sourcing by control scenario (severity and duration).",
    )
    scen = [
        ("status_quo", 0.30, "no new controls"),
        ("licensing_delays", 0.25, "licensing slows exports to half of the baseline share"),
        ("apr2025_list", 0.20, "April 2025 list sustained"),
        ("oct2025_list", 0.15, "October 2025 rules sustained"),
        ("suspension_reinstated", 0.07, "October rules, suspended in 2026, reinstated from 2027"),
        (
            "full_ban",
            0.03,
            "October rules in 2025, then a ban on Dy, Tb, NdPr and magnets to everyone from 2026",
        ),
    ]
    st["scenarios"] = [
        {
            "name": n,
            "probability": p,
            "description": d,
            "source": "ASSUMED probability (no public estimate exists)",
        }
        for n, p, d in scen
    ]
    st["export_controls"] += [
        {
            "id": "delays",
            "exporter": "CN",
            "commodities": REE_CONTROLLED,
            "kind": "share",
            "amount": round(apr_share * 2, 4),
            "reference": reference,
            "reference_year": 2025,
            "scenarios": ["licensing_delays"],
            "source": "ASSUMED half of the baseline export share",
        },
        {
            "id": "apr2025",
            "exporter": "CN",
            "commodities": REE_CONTROLLED,
            "kind": "share",
            "amount": apr_share,
            "reference": reference,
            "reference_year": 2025,
            "scenarios": ["apr2025_list"],
            "source": "as china-controls-apr2025",
        },
        {
            "id": "oct2025",
            "exporter": "CN",
            "commodities": REE_CONTROLLED,
            "kind": "share",
            "amount": oct_share,
            "reference": reference,
            "reference_year": 2025,
            "extraterritorial": True,
            "scenarios": ["oct2025_list"],
            "source": "as china-controls-oct2025",
        },
        {
            "id": "oct2025_before_suspension",
            "exporter": "CN",
            "commodities": REE_CONTROLLED,
            "kind": "share",
            "amount": oct_share,
            "reference": reference,
            "reference_year": 2025,
            "extraterritorial": True,
            "end": 2025,
            "scenarios": ["suspension_reinstated"],
            "source": "REPORTED suspension of the Oct 2025 measures to 10 Nov 2026",
        },
        {
            "id": "oct2025_reinstated",
            "exporter": "CN",
            "commodities": REE_CONTROLLED,
            "kind": "share",
            "amount": oct_share,
            "reference": reference,
            "reference_year": 2025,
            "extraterritorial": True,
            "start": 2027,
            "scenarios": ["suspension_reinstated"],
            "source": "ASSUMED reinstatement after the suspension ends",
        },
        {
            "id": "full_ban_first_year",
            "exporter": "CN",
            "commodities": REE_CONTROLLED,
            "kind": "share",
            "amount": oct_share,
            "reference": reference,
            "reference_year": 2025,
            "extraterritorial": True,
            "end": 2025,
            "scenarios": ["full_ban"],
            "source": "as china-controls-oct2025, before the ban",
        },
        {
            "id": "full_ban",
            "exporter": "CN",
            "commodities": ["ndpr_oxide", "ndpr_metal"] + REE_CONTROLLED,
            "kind": "ban",
            "extraterritorial": True,
            "start": 2026,
            "scenarios": ["full_ban"],
            "source": "ASSUMED worst case: no exports of magnet rare earths or magnets to anyone",
        },
    ]
    write_yaml(
        REE / "controls-stochastic.yaml",
        HEADER.format(
            title="controls-stochastic",
            question="Question: which builds hedge best across control scenarios of different severity and "
            "duration? Builds are decided now (first stage); sourcing adapts per scenario.\n"
            "Scenario probabilities are ASSUMED.",
        ),
        st,
    )
    cv = dict(
        st,
        name="controls-cvar",
        description="controls-stochastic with CVaR: a plan that holds up in the worst 10% of control "
        "scenarios.",
    )
    cv["objective"] = dict(OBJECTIVE, cvar_weight=1.0, cvar_alpha=0.9)
    write_yaml(
        REE / "controls-cvar.yaml",
        HEADER.format(
            title="controls-cvar",
            question="Question: which builds make the plan hold up in the worst 10% of control scenarios?\n"
            "Expected cost + 1.0 x CVaR_0.9 of scenario costs; probabilities ASSUMED as in "
            "controls-stochastic.",
        ),
        cv,
    )


# ---------------------------------------------------------------------------------------------------------
GA_YEARS = [2025, 2026, 2027, 2028, 2030, 2032]


def build_gallium() -> None:
    GA.mkdir(exist_ok=True)
    usgs = "USGS MCS 2025 gallium (2024e primary low-purity, kg -> t)"
    regions = [
        ("CN", "China", "adversary", -0.3),
        ("RU", "Russia", "adversary", -0.9),
        ("JP", "Japan", "ally", 0.95),
        ("KR", "South Korea", "ally", 0.61),
        ("US", "United States", "home", 0.03),
        ("AU", "Australia", "ally", 0.92),
        ("EU", "European Union", "ally", 0.47),
        ("CA", "Canada", "ally", 0.82),
        ("ROW", "Rest of world", "neutral", 0.0),
    ]
    reg = [
        {
            "id": r,
            "name": n,
            "bloc": b,
            "risk": risk_score(b, w),
            "controlled_origin": r == "CN",
            "source": "risk DERIVED as for rare earths",
        }
        for r, n, b, w in regions
    ]
    comm = [
        {
            "id": "ga_primary",
            "stage": "primary",
            "description": "low-purity primary gallium (99.99%), t",
            "price": 220_000,
            "source": "REPORTED USGS MCS 2025 low-purity US$220/kg (2024)",
        },
        {
            "id": "ga_refined",
            "stage": "refined",
            "description": "high-purity refined gallium (6N+), t",
            "price": 500_000,
            "unmet_penalty": 5_000_000,
            "source": "REPORTED USGS MCS 2025 high-purity US$500/kg (2024); penalty ASSUMED 10x price",
        },
    ]
    growth = 0.05  # ASSUMED demand and Chinese capacity growth

    def grow(q: float) -> dict[int, float]:
        return {y: round(q * (1 + growth) ** (y - 2025), 1) for y in GA_YEARS}

    fac = [
        facility(
            "cn_primary",
            "CN",
            {},
            {"ga_primary": 1},
            grow(750),
            150_000,
            f"REPORTED {usgs}: China 750 t (99%); growth ASSUMED 5%/yr",
        ),
        facility("ru_primary", "RU", {}, {"ga_primary": 1}, 6, 180_000, f"REPORTED {usgs}: Russia 6 t"),
        facility("jp_primary", "JP", {}, {"ga_primary": 1}, 3, 200_000, f"REPORTED {usgs}: Japan 3 t"),
        facility("kr_primary", "KR", {}, {"ga_primary": 1}, 3, 200_000, f"REPORTED {usgs}: Korea 3 t"),
        facility(
            "au_wagerup",
            "AU",
            {},
            {"ga_primary": 1},
            0,
            180_000,
            "candidate: REPORTED Alcoa-Sojitz Wagerup up to 10% of world gallium",
        ),
        facility(
            "cn_refining",
            "CN",
            {"ga_primary": 1.1},
            {"ga_refined": 1},
            grow(260),
            30_000,
            "ASSUMED China ~80% of high-purity refining; 1.1 t primary per t refined ASSUMED",
        ),
        facility(
            "jp_refining", "JP", {"ga_primary": 1.1}, {"ga_refined": 1}, 45, 40_000, "ASSUMED Japan ~45 t"
        ),
        facility("us_refining", "US", {"ga_primary": 1.1}, {"ga_refined": 1}, 10, 40_000, "ASSUMED US ~10 t"),
        facility(
            "eu_refining",
            "EU",
            {"ga_primary": 1.1},
            {"ga_refined": 1},
            10,
            40_000,
            "ASSUMED EU (Slovakia, Germany) ~10 t",
        ),
    ]
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
            facility(
                f"{r.lower()}_new_refining",
                r,
                {"ga_primary": 1.1},
                {"ga_refined": 1},
                0,
                40_000,
                "candidate greenfield refinery",
            )
        )
    options = [
        {
            "id": "alcoa_sojitz_wagerup",
            "facility": "au_wagerup",
            "kind": "discrete",
            "fixed_cost": 200e6,
            "module_size": 76,
            "max_count": 1,
            "lead_time": 2,
            "earliest_start": 2026,
            "lifetime": 20,
            "source": "REPORTED up to 10% of world Ga (DERIVED 10% x 760 t = 76 t), up to US$200m Australian"
            " equity (capex proxy); lead time ASSUMED",
        }
    ]
    for r in ("US", "CA", "EU", "JP"):
        options.append(
            {
                "id": f"{r.lower()}_new_primary_build",
                "facility": f"{r.lower()}_new_primary",
                "capex": 2_500_000,
                "max_capacity": 100,
                "lead_time": 3,
                "lifetime": 20,
                "source": "ASSUMED US$2.5m per t/yr, lead 3 yr",
            }
        )
    for r in ("US", "JP", "EU", "KR", "AU"):
        options.append(
            {
                "id": f"{r.lower()}_new_refining_build",
                "facility": f"{r.lower()}_new_refining",
                "capex": 1_000_000,
                "max_capacity": 100,
                "lead_time": 2,
                "lifetime": 20,
                "source": "ASSUMED US$1m per t/yr, lead 2 yr",
            }
        )
    split = {"CN": 0.55, "JP": 0.15, "US": 0.12, "EU": 0.08, "KR": 0.07, "ROW": 0.03}
    dem = []
    for y in GA_YEARS:
        for r, sh in split.items():
            q = 320 * sh * (1 + growth) ** (y - 2025)
            clear = 5 * (1 + growth) ** (y - 2025) if r == "US" else 0
            dem.append(
                {
                    "region": r,
                    "commodity": "ga_refined",
                    "year": y,
                    "quantity": round(q - clear, 1),
                    "compliance": "any",
                    "source": "REPORTED high-purity refined output 320 t (2024, USGS) x ASSUMED share and "
                    "growth 5%/yr",
                }
            )
            if clear:
                dem.append(
                    {
                        "region": r,
                        "commodity": "ga_refined",
                        "year": y,
                        "quantity": round(clear, 1),
                        "compliance": "clear",
                        "source": "ASSUMED US defence demand",
                    }
                )
    blocs = sorted({b for _, _, b, _ in regions})
    routes = [
        {"from_bloc": a, "to_bloc": b, "cost": 2_000, "source": "ASSUMED freight per t"}
        for a in blocs
        for b in blocs
    ]
    for name, rows in (
        ("regions", reg),
        ("commodities", comm),
        ("facilities", fac),
        ("build_options", options),
        ("demand", dem),
        ("route_defaults", routes),
    ):
        write_csv(GA / f"{name}.csv", rows)
    data = {
        "name": "gallium-2024",
        "description": "Gallium chain with China's 2023 licensing and the US ban.",
        "units": {"quantity": "t", "currency": "USD"},
        "horizon": {"base_year": 2025, "discount_rate": 0.05, "years": GA_YEARS, "last_weight": 1},
        "regions": "regions.csv",
        "commodities": "commodities.csv",
        "facilities": "facilities.csv",
        "build_options": "build_options.csv",
        "route_defaults": "route_defaults.csv",
        "demand": "demand.csv",
        "export_controls": [
            {
                "id": "cn_ga_licensing",
                "exporter": "CN",
                "commodities": ["ga_primary", "ga_refined"],
                "kind": "share",
                "amount": 0.3,
                "reference": 750,
                "reference_year": 2024,
                "source": "REPORTED Aug 2023 export licensing (USGS MCS 2025); share 0.3 of China's 750 t output "
                "ASSUMED",
            },
            {
                "id": "cn_ga_us_ban",
                "exporter": "CN",
                "commodities": ["ga_primary", "ga_refined"],
                "destinations": ["US"],
                "kind": "ban",
                "extraterritorial": True,
                "start": 2027,
                "scenarios": ["us_ban_reinstated"],
                "source": "REPORTED Dec 2024 ban on Ga exports to the US, suspended until 27 Nov 2026; "
                "reinstatement from 2027 is the scenario; extraterritorial ASSUMED",
            },
        ],
        "scenarios": [
            {"name": "licensing_only", "probability": 0.6, "source": "ASSUMED probability"},
            {"name": "us_ban_reinstated", "probability": 0.4, "source": "ASSUMED probability"},
        ],
        "objective": {"risk_weight": 0, "unmet_penalty": 5_000_000},
    }
    write_yaml(
        GA / "gallium-2024.yaml",
        """gallium-2024
Question: with China making ~99% of primary gallium and licensing exports, and a US ban that may return after
its suspension ends in November 2026, which allied gallium recovery and refining should be built?
Built by instances/build_instances.py; every row carries its source. See instances/SOURCES.md.""",
        data,
    )


def baseline_exports() -> float:
    """China's exports of Dy + Tb oxide and magnets in the baseline plan's first year, t (DERIVED)."""
    sys.path.insert(0, str(ROOT.parent / "src"))
    from critmin import load_instance, solve

    sol = solve(load_instance(REE / "baseline-2024.yaml"))
    p, f = sol.production, sol.flows
    del p
    out = f[(f.origin == "CN") & f.commodity.isin(REE_CONTROLLED) & (f.year == 2025)].quantity.sum()
    return float(round(out, -1))


def main() -> None:
    build_ree(reference=1.0)  # write the baseline first, then derive the controls' reference exports
    reference = baseline_exports()
    build_ree(reference=reference)
    build_gallium()
    print(f"baseline China exports of Dy, Tb and magnets (2025): {reference:,.0f} t")
    print(
        f"world mine {WORLD_MINE:,} t; China separation {CN_SEP_TOTAL:,.0f} t "
        f"({CN_SEP_TOTAL / (CN_SEP_TOTAL + NON_CN_SEP):.1%}); world magnets {WORLD_MAGNETS:,.0f} t"
    )


if __name__ == "__main__":
    main()
