"""The same formulation as the Pyomo model, built directly as sparse arrays for HiGHS (the fast path).

Pyomo builds one Python object per variable and constraint, then compiles them back into a matrix; on large
instances that costs far more than HiGHS's own work. This module builds the identical matrix straight from
the compiled index tables (`data.py`), vectorising the large families (shipments across years and scenarios)
with numpy. `tests/test_matrix.py` proves it identical to the Pyomo model on every bundled instance: same
columns, rows, coefficients, bounds and objective, compared by name.

Names follow Pyomo's (`ship[ndfeb,CN,US,clear,2030,base]`), so results and diagnostics read the same.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from .data import ModelData, in_window

INF = float("inf")


@dataclass
class Family:
    """A block of columns (or rows) sharing a name: keys in order, indices start..start+len."""

    name: str
    keys: list[tuple]
    start: int
    _index: dict[tuple, int] | None = field(default=None, repr=False)

    @property
    def index(self) -> dict[tuple, int]:
        """key -> column (or row) number, built on first use (large families may never need it)."""
        if self._index is None:
            self._index = {k: self.start + i for i, k in enumerate(self.keys)}
        return self._index

    def names(self) -> list[str]:
        return [f"{self.name}[{','.join(map(str, k))}]" if k else self.name for k in self.keys]


@dataclass
class MatrixModel:
    """min c.x + offset s.t. row_lower <= A x <= row_upper, col_lower <= x <= col_upper, some x integer."""

    md: ModelData
    cols: list[Family]
    rows: list[Family]
    A: sp.csc_array
    c: np.ndarray
    offset: float
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    parts: dict[str, tuple[np.ndarray, float]]  # objective component -> (coefficients, constant)

    def col_names(self) -> list[str]:
        return [n for f in self.cols for n in f.names()]

    def row_names(self) -> list[str]:
        return [n for f in self.rows for n in f.names()]

    def family(self, name: str) -> Family:
        return next(f for f in self.cols + self.rows if f.name == name)


class _Builder:
    def __init__(self) -> None:
        self.cols: list[Family] = []
        self.rows: list[Family] = []
        self.ncol = 0
        self.nrow = 0
        self.lo: list[np.ndarray] = []
        self.up: list[np.ndarray] = []
        self.intg: list[np.ndarray] = []
        self.rlo: list[np.ndarray] = []
        self.rup: list[np.ndarray] = []
        self.ri: list[np.ndarray] = []
        self.ci: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.py_r: list[int] = []  # scalar terms gathered in lists, converted once (cheaper per term)
        self.py_c: list[int] = []
        self.py_v: list[float] = []

    def col(
        self, name: str, keys: list[tuple], lo: Any = 0.0, up: Any = INF, integer: bool = False
    ) -> Family:
        fam = Family(name, keys, self.ncol)
        n = len(keys)
        self.ncol += n
        self.cols.append(fam)
        self.lo.append(np.broadcast_to(np.asarray(lo, dtype=float), (n,)).copy())
        self.up.append(np.broadcast_to(np.asarray(up, dtype=float), (n,)).copy())
        self.intg.append(np.full(n, integer))
        return fam

    def row(self, name: str, keys: list[tuple], lo: Any, up: Any) -> Family:
        fam = Family(name, keys, self.nrow)
        n = len(keys)
        self.nrow += n
        self.rows.append(fam)
        self.rlo.append(np.broadcast_to(np.asarray(lo, dtype=float), (n,)).copy())
        self.rup.append(np.broadcast_to(np.asarray(up, dtype=float), (n,)).copy())
        return fam

    def add(self, r: Any, c: Any, v: Any) -> None:
        r = np.asarray(r, dtype=np.int64).ravel()
        c = np.asarray(c, dtype=np.int64).ravel()
        v = np.broadcast_to(np.asarray(v, dtype=float), r.shape).ravel()
        self.ri.append(r)
        self.ci.append(c)
        self.v.append(v)

    def add_terms(self, r: int, terms: list[tuple[float, int]]) -> None:
        for coef, col in terms:
            self.py_r.append(r)
            self.py_c.append(col)
            self.py_v.append(coef)

    def triplets(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r = np.concatenate([*self.ri, np.asarray(self.py_r, dtype=np.int64)])
        c = np.concatenate([*self.ci, np.asarray(self.py_c, dtype=np.int64)])
        v = np.concatenate([*self.v, np.asarray(self.py_v, dtype=float)])
        return r, c, v


def build_matrix(md: ModelData, risk_weight: float | None = None) -> MatrixModel:
    """Build the model of `md` as arrays (identical to `build_model` + Pyomo's standard-form compiler)."""
    b = _Builder()
    inst, lv = md.inst, md.levers
    Y, S = md.years, md.scenarios
    ny, ns = len(Y), len(S)
    yi = {y: i for i, y in enumerate(Y)}
    si = {s: i for i, s in enumerate(S)}
    rw = (inst.objective.risk_weight if risk_weight is None else risk_weight) * md.q / md.m

    # -- columns (same sets and order as sets.py / variables.py / levers) ------------------------------
    cont = [k for k in md.build_keys if k[0] not in md.discrete]
    disc = [k for k in md.build_keys if k[0] in md.discrete]
    bc = b.col("build_capacity", cont)
    bm = b.col("build_modules", disc, 0.0, [md.option[o].max_count for o, _ in disc], integer=True)
    acts = [(f, k, y, s) for (f, k) in md.streams for y in Y if y in md.cap_years[f] for s in S]
    act = b.col("activity", acts)
    nf = len(md.flows)
    ship = b.col("ship", [(c, o, d, k, y, s) for (c, o, d, k) in md.flows for y in Y for s in S])
    dl = b.col("deliver", [(i, k, s) for (i, k) in md.deliver_keys for s in S])
    un = b.col("unmet", [(d.index, s) for d in md.demand for s in S])
    stocks = [(st, k, y, s) for (st, k) in lv.stocks for y in Y for s in S]
    slev, sbuy, srel = (b.col(n, stocks) for n in ("stock_level", "stock_buy", "stock_release"))
    sbuild = b.col("storage_build", list(lv.stock_builds))
    cshort = b.col("cover_short", [k for k in lv.cover if k[0] in lv.cover_soft])
    subs = b.col("substitute", [(sid, i, s) for sid, i in lv.substitutions for s in S])

    def ship_idx(f: np.ndarray, y: np.ndarray, s: np.ndarray) -> np.ndarray:
        return ship.start + (f * ny + y) * ns + s

    def build_col(key: tuple[str, int]) -> int:
        return bm.index[key] if key[0] in md.discrete else bc.index[key]

    # -- capacity_limit / build_limit ----------------------------------------------------------------
    keys = [(f, y, s) for (f, y) in md.cap_keys for s in S if md.streams_of.get(f)]
    rhs = [md.avail[(f, y, s)] * md.existing.get((f, y), 0.0) for f, y, s in keys]
    fam = b.row("capacity_limit", keys, -INF, rhs)
    for r, (f, y, s) in enumerate(keys, start=fam.start):
        a = md.avail[(f, y, s)]
        terms = [(1.0, act.index[(f, k, y, s)]) for _, k in md.streams_of[f]]
        terms += [(-a * md.build_unit[o], build_col((o, t))) for o, t in md.online.get((f, y), ())]
        b.add_terms(r, terms)
    by_option: dict[str, list] = {}
    for o in inst.build_options:
        if o.kind == "discrete" or o.max_capacity is not None:
            by_option[o.id] = [k for k in md.build_keys if k[0] == o.id]
    lim = [(o,) for o, ks in by_option.items() if ks]
    cap = [
        md.option[o].max_count if md.option[o].kind == "discrete" else md.option[o].max_capacity / md.q
        for (o,) in lim
    ]
    fam = b.row("build_limit", lim, -INF, cap)
    for r, (o,) in enumerate(lim, start=fam.start):
        b.add_terms(r, [(1.0, build_col(k)) for k in by_option[o]])

    # -- balance (vectorised over flows x years x scenarios) ---------------------------------------
    present = sorted(md.present)
    pidx = {p: i for i, p in enumerate(present)}
    stocks_at: dict[tuple, list[str]] = defaultdict(list)
    for st, k in lv.stocks:
        r_, c_ = lv.stock_region[st]
        stocks_at[(r_, c_, k)].append(st)
    has_neg = np.zeros((len(present), ny), dtype=bool)
    for (r_, c_, k), i in pidx.items():
        if md.outflows.get((r_, c_, k)) or stocks_at.get((r_, c_, k)):
            has_neg[i, :] = True
            continue
        for y in Y:
            if any(y in md.cap_years[f] for f, _ in md.consumers.get((r_, c_, k), ())) or md.deliveries.get(
                (r_, c_, k, y)
            ):
                has_neg[i, yi[y]] = True
    row_id = np.full((len(present), ny), -1, dtype=np.int64)
    row_id[has_neg] = np.arange(int(has_neg.sum()))
    bal_keys = [(*present[p], Y[y], s) for p, y in zip(*np.nonzero(has_neg), strict=True) for s in S]
    bal = b.row("balance", bal_keys, 0.0, INF)

    def bal_row(p: np.ndarray, y: np.ndarray, s: np.ndarray) -> np.ndarray:
        rid = row_id[p, y]
        return np.where(rid >= 0, bal.start + rid * ns + s, -1)

    if nf:
        f_i = np.arange(nf)
        p_out = np.array([pidx[(o, c, k)] for (c, o, d, k) in md.flows])
        p_in = np.array([pidx[(d, c, k)] for (c, o, d, k) in md.flows])
        F, Yg, Sg = np.meshgrid(f_i, np.arange(ny), np.arange(ns), indexing="ij")
        cols = ship_idx(F, Yg, Sg).ravel()
        for p_arr, coef in ((p_out, -1.0), (p_in, 1.0)):
            rows = bal_row(p_arr[F], Yg, Sg).ravel()
            keep = rows >= 0
            b.add(rows[keep], cols[keep], coef)
    for f, k in md.streams:
        fac = md.facility[f]
        r_ = fac.region
        ys = [y for y in Y if y in md.cap_years[f]]
        if not ys:
            continue
        yy = np.array([yi[y] for y in ys])
        Yg, Sg = np.meshgrid(yy, np.arange(ns), indexing="ij")
        acols = np.array([[act.index[(f, k, y, s)] for s in S] for y in ys])
        out_tag = md.stream_out[(f, k)]
        for c, coef in fac.outputs.items():
            rows = bal_row(np.full(Yg.shape, pidx[(r_, c, out_tag)]), Yg, Sg)
            keep = rows >= 0
            b.add(rows[keep], acols[keep], coef)
        for c, coef in fac.inputs.items():
            rows = bal_row(np.full(Yg.shape, pidx[(r_, c, k)]), Yg, Sg)
            b.add(rows, acols, -coef)
    for i, k in md.deliver_keys:
        d = md.demand[i]
        rows = bal_row(np.full(ns, pidx[(d.region, d.commodity, k)]), np.full(ns, yi[d.year]), np.arange(ns))
        b.add(rows, [dl.index[(i, k, s)] for s in S], -1.0)
    for (r_, c_, k), sts in stocks_at.items():
        p = pidx[(r_, c_, k)]
        for st in sts:
            for y in Y:
                for s in S:
                    r = int(bal_row(np.array([p]), np.array([yi[y]]), np.array([si[s]]))[0])
                    b.add([r, r], [srel.index[(st, k, y, s)], sbuy.index[(st, k, y, s)]], [1.0, -1.0])

    # -- demand_met -----------------------------------------------------------------------------------
    tags_of: dict[int, list[str]] = defaultdict(list)
    for i, k in md.deliver_keys:
        tags_of[i].append(k)
    subs_of: dict[int, list[str]] = defaultdict(list)
    for sid, i in lv.substitutions:
        subs_of[i].append(sid)
    dkeys = [(d.index, s) for d in md.demand for s in S]
    qty = [md.demand_qty[k] for k in dkeys]
    fam = b.row("demand_met", dkeys, qty, qty)
    for r, (i, s) in enumerate(dkeys, start=fam.start):
        terms = [(1.0, dl.index[(i, k, s)]) for k in tags_of.get(i, ())]
        terms += [(1.0, subs.index[(sid, i, s)]) for sid in subs_of.get(i, ())]
        terms.append((1.0, un.index[(i, s)]))
        b.add_terms(r, terms)

    # -- export_limit ---------------------------------------------------------------------------------
    fidx = {fk: i for i, fk in enumerate(md.flows)}
    ckeys = [(c.rule, c.year, c.scenario) for c in md.controls]
    fam = b.row("export_limit", ckeys, -INF, [0.0 if c.kind == "share" else c.amount for c in md.controls])
    for r, ctl in enumerate(md.controls, start=fam.start):
        y, s = yi[ctl.year], si[ctl.scenario]
        fl = np.array([fidx[fk] for fk in ctl.flows])
        b.add(np.full(len(fl), r), ship_idx(fl, y, s), 1.0)
        if ctl.kind == "share":
            b.add_terms(
                r,
                [
                    (-ctl.amount * cf, v)
                    for cf, v in _disposition(
                        md, act, dl, ship_idx, fidx, ctl.exporter, ctl.commodities, ctl.year, ctl.scenario
                    )
                ],
            )

    # -- policies ---------------------------------------------------------------------------------
    _policies(md, b, act, ship_idx, fidx, un, build_col)

    # -- levers ----------------------------------------------------------------------------------------
    prev = {y: (Y[i - 1] if i else None) for i, y in enumerate(Y)}
    fam = b.row(
        "stock_balance",
        stocks,
        [lv.stock_initial.get((st, k), 0.0) if prev[y] is None else 0.0 for st, k, y, _ in stocks],
        [lv.stock_initial.get((st, k), 0.0) if prev[y] is None else 0.0 for st, k, y, _ in stocks],
    )
    for r, (st, k, y, s) in enumerate(stocks, start=fam.start):
        w = md.weight[y]
        terms = [
            (1.0, slev.index[(st, k, y, s)]),
            (-w, sbuy.index[(st, k, y, s)]),
            (w, srel.index[(st, k, y, s)]),
        ]
        if prev[y] is not None:
            terms.append((-1.0, slev.index[(st, k, prev[y], s)]))
        b.add_terms(r, terms)
    tags_st: dict[str, list[str]] = defaultdict(list)
    for st, k in lv.stocks:
        tags_st[st].append(k)
    ck = [(st, y, s) for st in tags_st for y in Y for s in S]
    fam = b.row("stock_capacity", ck, -INF, [lv.stock_capacity[st] for st, _, _ in ck])
    for r, (st, y, s) in enumerate(ck, start=fam.start):
        terms = [(1.0, slev.index[(st, k, y, s)]) for k in tags_st[st]]
        terms += [(-1.0, sbuild.index[bk]) for bk in lv.stock_online.get((st, y), ())]
        b.add_terms(r, terms)
    sb_keys = [
        (st,)
        for st in lv.stock_build_max
        if any(bk[0] == st for bk in lv.stock_builds) and lv.stock_build_max[st] != INF
    ]
    fam = b.row("storage_build_limit", sb_keys, -INF, [lv.stock_build_max[st] for (st,) in sb_keys])
    for r, (st,) in enumerate(sb_keys, start=fam.start):
        b.add_terms(r, [(1.0, sbuild.index[bk]) for bk in lv.stock_builds if bk[0] == st])
    cov = list(lv.cover)
    fam = b.row("stock_cover", cov, [lv.cover[k] for k in cov], INF)
    for r, (st, y, s) in enumerate(cov, start=fam.start):
        terms = [(1.0, slev.index[(st, k, y, s)]) for k in tags_st.get(st, ())]
        if st in lv.cover_soft:
            terms.append((1.0, cshort.index[(st, y, s)]))
        b.add_terms(r, terms)
    sk = subs.keys
    fam = b.row(
        "substitution_limit", sk, -INF, [lv.sub_share[sid] * md.demand_qty[(i, s)] for sid, i, s in sk]
    )
    b.add(np.arange(fam.start, fam.start + len(sk)), np.arange(subs.start, subs.start + len(sk)), 1.0)
    okeys, oterms = [], []
    for oid, f, c, y, q_, _ in lv.offtakes:
        for s in S:
            terms = _output(md, act, f, c, y, s)
            if not terms and q_ <= 0:
                continue
            okeys.append((oid, y, s))
            oterms.append((terms, q_))
    fam = b.row("offtake_min", okeys, [q_ for _, q_ in oterms], INF)
    for r, (terms, _) in enumerate(oterms, start=fam.start):
        b.add_terms(r, terms)

    # -- objective -----------------------------------------------------------------------------------
    n0 = b.ncol
    parts: dict[str, np.ndarray] = {}
    consts: dict[str, float] = defaultdict(float)
    scen_cost = np.zeros(n0)  # cost per column without the probability (for CVaR rows)
    col_scen = np.full(n0, -1, dtype=np.int64)  # scenario of each second-stage column (-1 first stage)
    p = np.array([md.prob[s] for s in S])
    dsc = np.array([md.disc[y] for y in Y])

    def part(name: str) -> np.ndarray:
        if name not in parts:  # not setdefault: that would allocate a full-length array on every call
            parts[name] = np.zeros(n0)
        return parts[name]

    for key in md.build_keys:
        part("capex")[build_col(key)] += md.capex_coef[key]
    for f, y in md.cap_keys:
        rate = md.fixed_cost[f] * md.disc[y]
        if rate:
            consts["fixed_om"] += rate * md.existing.get((f, y), 0.0)
            for o, t in md.online.get((f, y), ()):
                part("fixed_om")[build_col((o, t))] += rate * md.build_unit[o]
    for bk in lv.stock_builds:
        part("stockpile")[sbuild.index[bk]] += lv.stock_build_coef[bk]
    scen_cost[:] = part("capex") + part("fixed_om") + part("stockpile")
    stage2 = np.zeros(n0)

    def second(name: str, cols: Any, undiscounted_prob_free: Any, s_idx: Any) -> None:
        cols = np.asarray(cols, dtype=np.int64)
        vals = np.broadcast_to(np.asarray(undiscounted_prob_free, dtype=float), cols.shape).ravel()
        sidx = np.broadcast_to(np.asarray(s_idx), cols.shape).ravel()
        cols = cols.ravel()
        np.add.at(part(name), cols, vals * p[sidx])
        np.add.at(stage2, cols, vals)
        col_scen[cols] = sidx

    if acts:
        second(
            "variable",
            np.arange(act.start, act.start + len(acts)),
            [md.disc[y] * md.var_cost[(f, y, s)] for f, _, y, s in acts],
            [si[s] for *_, s in acts],
        )
    if nf:
        F, Yg, Sg = np.meshgrid(np.arange(nf), np.arange(ny), np.arange(ns), indexing="ij")
        cols = ship_idx(F, Yg, Sg)
        arc = np.array([md.arcs[(c, o, d)] for (c, o, d, _) in md.flows])
        second("transport", cols, dsc[Yg] * arc[F], Sg)
        if md.tariff:
            tar = np.array(
                [[[md.tariff.get((c, o, d, y, s), 0.0) for s in S] for y in Y] for (c, o, d, _) in md.flows]
            )
            second("tariff", cols, dsc[Yg] * tar, Sg)
        rsk = np.array(
            [md.risk[o] if d in md.risk_importers and md.risk[o] > 0 else 0.0 for (_, o, d, _) in md.flows]
        )
        risk = np.zeros(n0)
        np.add.at(risk, cols.ravel(), (p[Sg] * dsc[Yg] * rsk[F]).ravel())
    else:
        risk = np.zeros(n0)
    if un.keys:
        second(
            "unmet",
            np.arange(un.start, un.start + len(un.keys)),
            [md.disc[md.demand[i].year] * md.penalty[i] for i, _ in un.keys],
            [si[s] for _, s in un.keys],
        )
    for st, k, y, s in stocks:
        second("stockpile", slev.index[(st, k, y, s)], md.disc[y] * lv.stock_holding[st], si[s])
    for st, y, s in cshort.keys:
        second("stockpile", cshort.index[(st, y, s)], md.disc[y] * lv.cover_soft[st], si[s])
    for sid, i, s in sk:
        second("substitution", subs.index[(sid, i, s)], md.disc[md.demand[i].year] * lv.sub_cost[sid], si[s])
    for fid, f, c, y, rate in lv.floors:
        if lv.floor_in_objective[fid] and rate:
            for s in S:
                for cf, col in _output(md, act, f, c, y, s):
                    second("support", col, md.disc[y] * rate * cf, si[s])
    sup_const = np.zeros(ns)
    for oid, _f, _c, y, _q, prem in lv.offtakes:
        if lv.offtake_in_objective[oid]:
            sup_const += md.disc[y] * prem
    consts["support"] = float(p @ sup_const)
    c = sum(parts.values(), np.zeros(n0)) + rw * risk
    offset = consts["fixed_om"] + consts["support"]
    scen_cost += stage2

    weight = inst.objective.cvar_weight
    if weight > 0:
        alpha = inst.objective.cvar_alpha
        eta = b.col("cvar_eta", [()], -INF, INF)
        exc = b.col("cvar_excess", [(s,) for s in S])
        const = consts["fixed_om"] + sup_const
        fam = b.row("cvar_tail", [(s,) for s in S], const, INF)
        for j in range(ns):
            r = fam.start + j
            sel = np.nonzero(((col_scen == j) | (col_scen == -1)) & (scen_cost != 0))[0]
            b.add(np.full(len(sel), r), sel, -scen_cost[sel])
            b.add([r, r], [exc.start + j, eta.start], [1.0, 1.0])
        c = np.concatenate([c, [weight], weight * p / (1 - alpha)])
    n = b.ncol
    c = np.pad(c, (0, n - len(c)))
    ri, ci, vv = b.triplets()
    A = sp.coo_array((vv, (ri, ci)), shape=(b.nrow, n)).tocsc()
    A.sum_duplicates()
    A.eliminate_zeros()
    for k in consts:
        part(k)
    parts = {k: (np.pad(v, (0, n - len(v))), consts.get(k, 0.0)) for k, v in parts.items()}
    parts["risk"] = (np.pad(risk, (0, n - len(risk))), 0.0)
    return MatrixModel(
        md,
        b.cols,
        b.rows,
        A,
        c,
        offset,
        np.concatenate(b.lo),
        np.concatenate(b.up),
        np.concatenate(b.intg),
        np.concatenate(b.rlo),
        np.concatenate(b.rup),
        parts,
    )


def _output(md: ModelData, act: Family, f: str, c: str, y: int, s: str) -> list[tuple[float, int]]:
    if y not in md.cap_years[f]:
        return []
    coef = md.facility[f].outputs[c]
    return [(coef, act.index[(f, k, y, s)]) for _, k in md.streams_of.get(f, ())]


def _production(
    md: ModelData, act: Family, region: str, commodities: tuple[str, ...], y: int, s: str
) -> list:
    out = []
    for c in commodities:
        for k in ("clear", "controlled"):
            for f, kin in md.producers.get((region, c, k), ()):
                if y in md.cap_years[f]:
                    out.append((md.facility[f].outputs[c], act.index[(f, kin, y, s)]))
    return out


def _disposition(
    md: ModelData,
    act: Family,
    dl: Family,
    ship_idx: Any,
    fidx: dict,
    region: str,
    commodities: tuple[str, ...],
    y: int,
    s: str,
) -> list:
    yi, si = md.years.index(y), md.scenarios.index(s)
    out: list[tuple[float, int]] = []
    for c in commodities:
        for k in ("clear", "controlled"):
            out += [(1.0, int(ship_idx(fidx[fk], yi, si))) for fk in md.outflows.get((region, c, k), ())]
            for f, kin in md.consumers.get((region, c, k), ()):
                if y in md.cap_years[f]:
                    out.append((md.facility[f].inputs[c], act.index[(f, kin, y, s)]))
            out += [(1.0, dl.index[(i, kk, s)]) for i, kk in md.deliveries.get((region, c, k, y), ())]
    return out


def _policies(
    md: ModelData, b: _Builder, act: Family, ship_idx: Any, fidx: dict, un: Family, build_col: Any
) -> None:
    pol = md.inst.policies
    blocs = md.bloc_of
    yi, si = {y: i for i, y in enumerate(md.years)}, {s: i for i, s in enumerate(md.scenarios)}

    def imports(region: str, c: str, y: int, s: str) -> dict[str, list]:
        out: dict[str, list] = {}
        for k in ("clear", "controlled"):
            for fk in md.inflows.get((region, c, k), ()):
                out.setdefault(fk[1], []).append((1.0, int(ship_idx(fidx[fk], yi[y], si[s]))))
        return out

    def supply_of(region: str, c: str, y: int, s: str) -> tuple[list, dict[str, list], list]:
        """(own production terms, imports by origin, all supply terms) of a region (as policies.py)."""
        own = _production(md, act, region, (c,), y, s)
        imp = imports(region, c, y, s)
        return own, imp, own + [t for ts in imp.values() for t in ts]

    keys, terms_l = [], []
    for pm in pol.min_bloc_share:
        for c in pm.commodities:
            for y in md.years:
                if not in_window(y, pm.start, pm.end):
                    continue
                for s in md.scenarios:
                    own, imp, supply = supply_of(pm.region, c, y, s)
                    if not supply:
                        continue
                    fb = list(own) if blocs[pm.region] in pm.blocs else []
                    fb += [t for o, ts in imp.items() if blocs[o] in pm.blocs for t in ts]
                    keys.append((pm.id, c, y, s))
                    terms_l.append(fb + [(-pm.share * cf, v) for cf, v in supply])
    fam = b.row("min_bloc_share", keys, 0.0, INF)
    for r, t in enumerate(terms_l, start=fam.start):
        b.add_terms(r, t)

    keys, terms_l = [], []
    for pm in pol.max_supplier_share:
        for c in pm.commodities:
            origins = sorted(
                {fk[1] for k in ("clear", "controlled") for fk in md.inflows.get((pm.region, c, k), ())}
            )
            for o in origins:
                for y in md.years:
                    if not in_window(y, pm.start, pm.end):
                        continue
                    for s in md.scenarios:
                        _own, imp, supply = supply_of(pm.region, c, y, s)
                        keys.append((pm.id, c, o, y, s))
                        terms_l.append(list(imp[o]) + [(-pm.share * cf, v) for cf, v in supply])
    fam = b.row("max_supplier_share", keys, -INF, 0.0)
    for r, t in enumerate(terms_l, start=fam.start):
        b.add_terms(r, t)

    keys = [(pid, i, s) for pid, i, s, _ in md.service]
    ub = [u for *_, u in md.service]
    fam = b.row("min_service", keys, -INF, ub)
    b.add(np.arange(fam.start, fam.start + len(keys)), [un.index[(i, s)] for _, i, s in keys], 1.0)

    keys, terms_l, cap = [], [], []
    for bg in pol.budgets:
        if md.budget_builds[bg.id]:
            keys.append((bg.id,))
            terms_l.append([(md.overnight[k], build_col(k)) for k in md.budget_builds[bg.id]])
            cap.append(bg.amount / md.m)
    fam = b.row("budget_limit", keys, -INF, cap)
    for r, t in enumerate(terms_l, start=fam.start):
        b.add_terms(r, t)


class _Value:
    __slots__ = ("value",)

    def __init__(self, value: float) -> None:
        self.value = value


class _Values:
    """Dict-like view of one variable family's solution values: `family[key].value`, iterable keys."""

    def __init__(self, fam: Family, x: np.ndarray) -> None:
        self.fam, self.x = fam, x

    def __getitem__(self, key: Any) -> _Value:
        key = key if isinstance(key, tuple) else (key,)
        return _Value(float(self.x[self.fam.index[key]]))

    def __iter__(self) -> Any:
        return iter(self.fam.keys)

    def __len__(self) -> int:
        return len(self.fam.keys)


class ArrayModel:
    """What result extraction needs from a solved model, read from the matrix solution vector: variable
    families (`model.ship[key].value`), their index sets, the risk weight and each objective part."""

    SETS = {
        "ACTIVITIES": "activity",
        "SHIPMENTS": "ship",
        "DELIVERIES": "deliver",
        "DEMANDS": "unmet",
        "STOCKS": "stock_level",
        "SUBSTITUTIONS": "substitute",
    }

    def __init__(self, mm: MatrixModel, x: np.ndarray, risk_weight: float, build_seconds: float) -> None:
        self._critmin_data = mm.md
        self._critmin_risk_weight = risk_weight
        self._critmin_build_seconds = build_seconds
        for fam in mm.cols:
            setattr(self, fam.name, _Values(fam, x))
        for set_name, fam_name in self.SETS.items():
            setattr(self, set_name, [k for k in mm.family(fam_name).keys])
        self.risk_weight = risk_weight * mm.md.q / mm.md.m
        names = {
            "capex": "cost_capex",
            "fixed_om": "cost_fixed_om",
            "variable": "cost_variable",
            "transport": "cost_transport",
            "tariff": "cost_tariff",
            "unmet": "cost_unmet",
            "stockpile": "cost_stockpile",
            "substitution": "cost_substitution",
            "support": "cost_support",
            "risk": "risk_exposure",
        }
        for part, attr in names.items():
            coef, const = mm.parts.get(part, (None, 0.0))
            setattr(self, attr, (float(coef @ x) if coef is not None else 0.0) + const)
        if any(f.name == "cvar_eta" for f in mm.cols):
            md = mm.md
            alpha = md.inst.objective.cvar_alpha
            eta = float(x[mm.family("cvar_eta").start])
            exc = mm.family("cvar_excess")
            self.cvar = eta + sum(md.prob[s] * x[exc.index[(s,)]] for s in md.scenarios) / (1 - alpha)
