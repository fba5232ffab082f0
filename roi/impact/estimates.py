"""The estimates of a measured-impact analysis, one metric at a time (issue 24).

- **Group comparison**: heavy users against non-users, per period (Welch's t interval) and
  pooled over the periods since the roll-out (a regression of the outcome on a heavy-user
  indicator, standard errors clustered by person, since a person appears in many periods);
  then the same adjusted for each person's pre-roll-out level of the outcome (CUPED,
  Deng et al. 2013, as a regression adjustment), with the share of the estimate's variance
  the adjustment removed.
- **Before and after, against people not yet using the tool**: the local-projections
  difference in differences of Dube, Girardi, Jordà and Taylor (2023), pyfixest's ``lpdid``:
  each adopter's change from the period before first use is set against the change of
  people not yet using the tool over the same periods, so an effect that grows over time
  does not bias it as it biases the two-way fixed-effects coefficient (reported beside it).
  Its event study gives the effect by period relative to first use, the pre-adoption ones
  included.
- **Pre-trend test**: on the person-periods before adoption only, the outcome on person and
  period fixed effects and an indicator for each of the ``pre_window`` periods before first
  use; the joint Wald test that they are zero (Borusyak, Jaravel and Spiess 2024: a test that
  treatment effects cannot contaminate, since no treated period is in it).
- **Who adopted**: the pre-roll-out level of people who became heavy users against people who
  never used the tool: a large gap means the naive comparison measures who chose the tool.

Inference is at 95 % unless set. Estimates for fewer people than the minimum group size are
withheld (see :mod:`roi.impact.report`).
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

PRE_WINDOW_DEFAULT = 6
POST_WINDOW_DEFAULT = 8


@dataclass(frozen=True)
class Interval:
    """A difference with its confidence interval, p-value and standard error."""

    effect: float
    ci_low: float
    ci_high: float
    p_value: float
    se: float
    n_first: int  # people (or person-periods, as the caller says) in the first group
    n_second: int


def welch(first: np.ndarray, second: np.ndarray, confidence: float = 0.95) -> Interval | None:
    """``mean(first) − mean(second)`` with Welch's t interval; None with fewer than two
    values in a group or no spread at all."""
    if len(first) < 2 or len(second) < 2:
        return None
    if np.var(first) == 0 and np.var(second) == 0:
        return None
    result = stats.ttest_ind(first, second, equal_var=False)
    low, high = result.confidence_interval(confidence)
    if not all(math.isfinite(float(v)) for v in (low, high, result.pvalue)):
        return None
    se = math.sqrt(np.var(first, ddof=1) / len(first) + np.var(second, ddof=1) / len(second))
    effect = float(np.mean(first) - np.mean(second))
    return Interval(effect, float(low), float(high), float(result.pvalue), se, len(first),
                    len(second))  # fmt: skip


def _feols(formula: str, data: pd.DataFrame, cluster: str = "person"):
    """pyfixest's OLS, clustered by ``cluster``, on the columns the formula and the cluster
    name only (pyfixest copies what it is given: a person's text id on every row costs)."""
    import pyfixest as pf

    names = set(re.findall(r"[A-Za-z_]\w*", formula)) | {cluster}
    frame = data[[c for c in data.columns if c in names]]
    if frame[cluster].dtype == object or str(frame[cluster].dtype).startswith("str"):
        frame = frame.assign(**{cluster: pd.factorize(frame[cluster])[0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(formula, data=frame, vcov={"CRV1": cluster}, copy_data=False,
                        store_data=False, lean=True)  # fmt: skip


def _coefficient(fit, name: str, confidence: float, n_first: int, n_second: int) -> Interval | None:
    """A coefficient with its interval, or None when it has no finite one (an outcome with
    no spread: no standard error, no p-value)."""
    alpha = 1 - confidence
    low, high = fit.confint(alpha=alpha).loc[name]
    figures = (float(fit.coef()[name]), float(low), float(high), float(fit.pvalue()[name]),
               float(fit.se()[name]))  # fmt: skip
    if not all(math.isfinite(v) for v in figures) or figures[4] <= 0:
        return None
    return Interval(*figures, n_first, n_second)


@dataclass(frozen=True)
class Comparison:
    """Heavy users against non-users since the roll-out, plain and CUPED-adjusted."""

    plain: Interval | None
    adjusted: Interval | None
    variance_removed: float | None  # share of the plain estimate's variance the adjustment removed
    people_adjusted: int  # people with a pre-roll-out level (the adjusted estimate's sample)


def baseline_levels(rows: pd.DataFrame, rollout: int) -> pd.Series:
    """Each person's mean outcome in the periods before the roll-out (empty when the tool
    was in use from the first period)."""
    before = rows[rows["t"] < rollout]
    return before.groupby("person")["value"].mean()


def pooled_comparison(rows: pd.DataFrame, rollout: int, confidence: float = 0.95) -> Comparison:
    """Heavy − non-user over the person-periods since the roll-out, clustered by person;
    then adjusted for the person's baseline level, on the people who have one."""
    since = rows[(rows["t"] >= rollout) & rows["tier"].isin(["heavy", "non-user"])].copy()
    since["heavy"] = (since["tier"] == "heavy").astype(float)
    counts = since.groupby("tier")["person"].nunique()
    n_heavy, n_non = int(counts.get("heavy", 0)), int(counts.get("non-user", 0))
    if n_heavy < 2 or n_non < 2 or since["value"].nunique() < 2:  # nothing to compare
        return Comparison(None, None, None, 0)
    plain = _coefficient(_feols("value ~ heavy", since), "heavy", confidence, n_heavy, n_non)
    if plain is None:
        return Comparison(None, None, None, 0)
    levels = baseline_levels(rows, rollout)
    since["baseline"] = since["person"].map(levels)
    sample = since.dropna(subset=["baseline"])
    sample_counts = sample.groupby("tier")["person"].nunique()
    a, b = int(sample_counts.get("heavy", 0)), int(sample_counts.get("non-user", 0))
    if a < 2 or b < 2 or sample["baseline"].var() == 0:
        return Comparison(plain, None, None, 0)
    sample = sample.assign(baseline=sample["baseline"] - sample["baseline"].mean())
    same = _coefficient(_feols("value ~ heavy", sample), "heavy", confidence, a, b)
    adjusted = _coefficient(_feols("value ~ heavy + baseline", sample), "heavy", confidence,
                            a, b)  # fmt: skip
    if same is None or adjusted is None:
        return Comparison(plain, None, None, 0)
    removed = 1 - (adjusted.se / same.se) ** 2
    return Comparison(plain, adjusted, removed, int(sample["person"].nunique()))


def who_adopted(rows: pd.DataFrame, rollout: int, confidence: float = 0.95) -> Interval | None:
    """Baseline level of people who were ever heavy users − of people who never used the
    tool (Welch); None without a baseline or with fewer than two people in a group."""
    levels = baseline_levels(rows, rollout)
    if levels.empty:
        return None
    ever_heavy = rows.loc[rows["tier"] == "heavy", "person"].unique()
    never = rows.loc[rows["g"] == 0, "person"].unique()
    return welch(levels.reindex(ever_heavy).dropna().to_numpy(),
                 levels.reindex(never).dropna().to_numpy(), confidence)  # fmt: skip


def balanced(rows: pd.DataFrame) -> pd.DataFrame:
    """Every person in every period (missing outcomes NaN), sorted by person and period:
    ``lpdid`` takes leads and lags by position."""
    people = rows[["person", "g"]].drop_duplicates("person")
    periods = np.arange(1, int(rows["t"].max()) + 1)
    grid = pd.MultiIndex.from_product([people["person"], periods], names=["person", "t"])
    out = rows.set_index(["person", "t"])[["value"]].reindex(grid).reset_index()
    out["g"] = out["person"].map(people.set_index("person")["g"]).astype(int)
    out["pid"] = pd.factorize(out["person"])[0]
    out = out.drop(columns=["person"])  # the estimators need the number only
    return out.sort_values(["pid", "t"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class EventPoint:
    """The effect ``relative_period`` periods after first use (−1: the reference, 0)."""

    relative_period: int
    effect: float
    ci_low: float
    ci_high: float
    adopters: int  # people whose first use is in the estimate at this horizon


@dataclass(frozen=True)
class PanelEstimate:
    """The before/after estimate against people not yet using the tool."""

    estimator: str
    effect: Interval | None
    twfe: Interval | None  # the plain two-way fixed-effects coefficient, for comparison
    twfe_event_study: tuple[EventPoint, ...]  # and its event study (no leads), likewise
    event_study: tuple[EventPoint, ...]
    pretrend_p: float | None
    post_window: int
    pre_window: int
    adopters: int
    never: int


def _windows(data: pd.DataFrame, pre: int, post: int) -> tuple[int, int]:
    """The pre and post windows the data allow (relative periods that occur)."""
    adopters = data[data["g"] > 0]
    relative = adopters["t"] - adopters["g"]
    return min(pre, int(-relative.min())), min(post, int(relative.max()))


def lpdid_data(data: pd.DataFrame) -> pd.DataFrame:
    """:func:`balanced` data with the columns pyfixest's LP-DiD estimator reads, made as its
    ``LPDID`` class makes them (lag, treatment, relative period, treatment switch).

    ``pyfixest.lpdid`` first runs its difference-in-differences base class, whose per-person
    Python loop (a ``groupby.apply``; 3 s for 10,000 people) makes columns LP-DiD never
    reads; this prepares LP-DiD's own columns vectorised, once per metric, for
    :func:`lpdid_table`. ``tests/impact`` holds the result equal to ``pyfixest.lpdid``'s."""
    out = data.sort_values(["pid", "t"], kind="stable").reset_index(drop=True)
    by_person = out.groupby("pid", sort=False)
    out["value_lag"] = by_person["value"].shift(1)
    never = out["g"] == 0
    out["treat"] = np.where(never, 0, np.where(out["g"] <= out["t"], 1, 0))
    out["rel_year"] = np.where(never, np.inf, out["t"] - out["g"])
    switch = out["treat"] - out.groupby("pid", sort=False)["treat"].shift(1)
    out["treat_diff"] = np.where(switch < 0, 0, switch)
    return out


MIN_SWITCHERS = 2  # people starting to use the tool, and controls, an LP-DiD horizon needs


def _estimable(dy: pd.Series, sample: pd.Series, switch: pd.Series, period: pd.Series) -> bool:
    """Whether an LP-DiD regression has rows enough: pyfixest aborts the whole process
    (not an exception) on an empty sample, so every horizon is checked before it runs. Only
    periods holding both a switcher and a control identify the effect (the others are
    absorbed by the period's fixed effect, and a lone row is dropped as a singleton)."""
    rows = sample & dy.notna() & switch.notna()
    frame = pd.DataFrame({"t": period[rows], "switch": switch[rows] == 1})
    both = frame.groupby("t")["switch"].agg(["any", "all"])
    useful = frame["t"].isin(both.index[both["any"] & ~both["all"]])
    switchers = int(frame.loc[useful, "switch"].sum())
    return switchers >= MIN_SWITCHERS and int(useful.sum()) - switchers >= MIN_SWITCHERS


def lpdid_horizons(prepared: pd.DataFrame, pre: int, post: int) -> tuple[int, int]:
    """The widest windows up to ``pre`` and ``post`` whose every horizon (and the pooled
    post-window effect) has :data:`MIN_SWITCHERS` people starting to use the tool and as
    many controls, in the samples pyfixest's LP-DiD forms; ``post`` −1 when not even first
    use can be estimated. A person adopting in the first period has no period before first
    use and is in none of them."""
    by_person = prepared.groupby("pid", sort=False)
    switch, lag = prepared["treat_diff"], prepared["value_lag"]
    reached = -1
    for h in range(post + 1):
        dy = by_person["value"].shift(-h) - lag
        controls = by_person["treat"].shift(-h) == 0
        if not _estimable(dy, (switch == 1) | controls, switch, prepared["t"]):
            break
        reached = h
    # The pooled effect over 0 … reached, as lpdid's att=True forms it, must rest on at
    # least half the adopters seen at first use: a long window would leave only the
    # earliest adopters in it, and their effect would be reported as everybody's.
    at_first_use = pooled_people(prepared, 0) if reached >= 0 else 0
    while reached >= 0:
        mean = sum(by_person["value"].shift(-k) for k in range(reached + 1)) / (reached + 1)
        controls = by_person["treat"].shift(-reached) == 0
        if (_estimable(mean - lag, (switch == 1) | controls, switch, prepared["t"])
                and 2 * pooled_people(prepared, reached) >= at_first_use):  # fmt: skip
            break
        reached -= 1
    before = 1
    for h in range(2, pre + 1):
        dy = by_person["value"].shift(h) - lag
        if not _estimable(dy, (switch == 1) | (prepared["treat"] == 0), switch, prepared["t"]):
            break
        before = h
    return before, reached


def pooled_people(prepared: pd.DataFrame, post: int) -> int:
    """Adopters in LP-DiD's pooled sample over first use and ``post`` periods after it:
    those whose level the period before first use and in each of those periods is known
    (an adopter too late to be seen ``post`` periods on is not in it)."""
    by_person = prepared.groupby("pid", sort=False)
    mean = sum(by_person["value"].shift(-k) for k in range(post + 1)) / (post + 1)
    rows = (prepared["treat_diff"] == 1) & (mean - prepared["value_lag"]).notna()
    return int(prepared.loc[rows, "pid"].nunique())


def _tidy_interval(row: pd.Series, n_first: int, n_second: int) -> Interval | None:
    """A row of pyfixest's ``tidy()`` table as an interval (its 95 % bounds, which go with
    its p-value), or None when it has no finite one."""
    figures = (float(row["Estimate"]), float(row["2.5%"]), float(row["97.5%"]),
               float(row["Pr(>|t|)"]), float(row["Std. Error"]))  # fmt: skip
    if not all(math.isfinite(v) for v in figures) or figures[4] <= 0:
        return None
    return Interval(*figures, n_first, n_second)


def lpdid_table(prepared: pd.DataFrame, pre: int, post: int, att: bool) -> pd.DataFrame:
    """pyfixest's LP-DiD estimates (its ``tidy()`` table) on :func:`lpdid_data`: the pooled
    effect over first use and ``post`` periods after it (``att``), or the event study from
    ``−pre`` to ``post``; standard errors clustered by person."""
    from pyfixest.did.lpdid import _lpdid_estimate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _lpdid_estimate(
            data=prepared.copy(), yname="value", idname="pid", tname="t", pre_window=pre,
            post_window=post, att=att, vcov={"CRV1": "pid"}, xfml=None,
        )  # fmt: skip


def twfe_event_study(
    data: pd.DataFrame, post: int, confidence: float = 0.95, vcov: str = "CRV1"
) -> tuple[EventPoint, ...]:
    """The two-way fixed-effects event study, for comparison with LP-DiD's: the outcome on
    person and period fixed effects and an indicator for each period ``h = 0 … post`` since
    first use (the last one for ``post`` periods or more), every period before first use the
    reference. With effects that differ between adoption cohorts its coefficients mix them
    with weights that can be negative (Sun and Abraham 2021), which is why it is not the
    one reported. ``vcov``: ``"CRV1"`` clustered by person, or ``"iid"`` (the textbook's).
    """
    adopted = (data["g"] > 0) & (data["t"] >= data["g"])
    since = (data["t"] - data["g"]).where(adopted, -1)
    columns = {f"rel{h}": (since == h) * 1.0 for h in range(post)}
    columns[f"rel{post}"] = (since >= post) * 1.0
    frame = data.assign(**columns).dropna(subset=["value"])
    names = [n for n in columns if frame[n].sum() > 0]
    if not names:
        return ()
    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols(f"value ~ {' + '.join(names)} | pid + t", data=frame,
                       vcov={"CRV1": "pid"} if vcov == "CRV1" else vcov)  # fmt: skip
    low_high = fit.confint(alpha=1 - confidence)
    first_use = data.loc[data["t"] == data["g"], "t"]
    return tuple(
        EventPoint(int(name[3:]), float(fit.coef()[name]), float(low_high.loc[name].iloc[0]),
                   float(low_high.loc[name].iloc[1]),
                   int(first_use.le(data["t"].max() - int(name[3:])).sum()))
        for name in names if name in fit.coef().index
    )  # fmt: skip


def pretrend(data: pd.DataFrame, pre: int) -> float | None:
    """The joint Wald test's p-value that the ``pre`` periods before first use differ from
    none, on untreated person-periods only (see the module); None when it cannot be run."""
    untreated = data[(data["g"] == 0) | (data["t"] < data["g"])].dropna(subset=["value"])
    names = []
    for k in range(1, pre + 1):
        name = f"lead{k}"
        untreated = untreated.assign(**{name: ((untreated["g"] - untreated["t"]) == k) * 1.0})
        if untreated[name].sum() > 0:
            names.append(name)
    if not names or untreated["g"].eq(0).sum() == 0:
        return None
    try:
        fit = _feols(f"value ~ {' + '.join(names)} | pid + t", untreated, cluster="pid")
    except ValueError:  # every lead collinear with the fixed effects (one period before use)
        return None
    kept = [n for n in names if n in fit.coef().index]
    if not kept:
        return None
    restriction = np.zeros((len(kept), len(fit.coef())))
    for row, name in enumerate(kept):
        restriction[row, list(fit.coef().index).index(name)] = 1.0
    test = fit.wald_test(R=restriction, distribution="F")
    return float(test["pvalue"])


def panel_estimate(
    rows: pd.DataFrame,
    pre_window: int = PRE_WINDOW_DEFAULT,
    post_window: int = POST_WINDOW_DEFAULT,
    confidence: float = 0.95,
) -> PanelEstimate | None:
    """LP-DiD's pooled effect over first use and the ``post_window`` periods after it,
    the event study and the pre-trend test; None without adopters and people not (yet)
    using the tool in the same periods. LP-DiD's intervals are pyfixest's 95 % ones (t on
    its degrees of freedom, the same as its p-values); ``confidence`` sets the two-way
    fixed-effects comparison's."""
    data = balanced(rows)
    adopters, never = data.loc[data["g"] > 0, "pid"].nunique(), data.loc[data["g"] == 0, "pid"]
    if adopters < 2 or never.nunique() < 2 or data["value"].nunique() < 2:
        return None
    pre, post = _windows(data, pre_window, post_window)
    if post < 0 or pre < 1:
        return None
    prepared = lpdid_data(data)
    pre, post = lpdid_horizons(prepared, pre, post)
    if post < 0:
        return None
    # Adopters measured: people whose level the period before first use is known (one
    # using the tool from the first period has none, and is in no LP-DiD sample).
    measured = prepared[(prepared["treat_diff"] == 1) & prepared["value_lag"].notna()]
    adopters = int(measured["pid"].nunique())
    pooled = lpdid_table(prepared, pre, post, att=True).iloc[0]
    effect = _tidy_interval(pooled, pooled_people(prepared, post), int(never.nunique()))
    table = lpdid_table(prepared, pre, post, att=False)
    points = [EventPoint(-1, 0.0, 0.0, 0.0, adopters)]
    last = int(data["t"].max())
    for name, row in table.iterrows():
        h = int(float(str(name).split("::")[1]))
        point = _tidy_interval(row, 0, 0)
        if point is None:
            continue
        # The adopters a point rests on: first use h periods before the last period, or
        # (before first use) a period −h before it within the data.
        reach = measured["g"].le(last - h) if h >= 0 else measured["g"].ge(1 - h)
        points.append(EventPoint(h, point.effect, point.ci_low, point.ci_high,
                                 int(reach.sum())))  # fmt: skip
    treated = data.assign(treated=((data["g"] > 0) & (data["t"] >= data["g"])) * 1.0)
    try:  # for comparison only: a design it cannot fit leaves it out, not the estimate
        twfe_fit = _feols("value ~ treated | pid + t", treated.dropna(subset=["value"]), "pid")
        twfe = _coefficient(twfe_fit, "treated", confidence, adopters, int(never.nunique()))
        twfe_points = twfe_event_study(data, post, confidence)
    except ValueError:
        twfe, twfe_points = None, ()
    return PanelEstimate(
        estimator="lpdid", effect=effect, twfe=twfe, twfe_event_study=twfe_points,
        event_study=tuple(sorted(points, key=lambda p: p.relative_period)),
        pretrend_p=pretrend(data, pre), post_window=post, pre_window=pre,
        adopters=adopters, never=int(never.nunique()),
    )  # fmt: skip
