"""Generated response history with a known truth: for backtests, benchmarks and demos.

:func:`simulate` sends each campaign's batches, draws which sends lead to which step (Bernoulli
with the true rate) and when (the true time-to-response curve, uniform within a slot), and
returns the event log :func:`accord.capacity.response.fit` reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from scipy import stats

from accord.capacity.grid import Grid
from accord.capacity.plans import CampaignPlan, schedule
from accord.capacity.response import HORIZON, ResponseModel, StepRate


def gamma_curve(mean_minutes: float, shape: float = 1.0,
                horizon: int = HORIZON) -> npt.NDArray[np.float64]:
    """Shares per 15-minute slot of a gamma-distributed delay, renormalised to the horizon
    (``shape <= 1`` decays from the send; above 1 it rises to a peak first).

    >>> gamma_curve(15.0)[:3].round(3).tolist()
    [0.632, 0.233, 0.086]
    """
    edges = np.arange(horizon + 1) * 15.0
    cdf = stats.gamma.cdf(edges, a=shape, scale=mean_minutes / shape)
    shares = np.diff(cdf)
    return np.asarray(shares / shares.sum(), dtype=np.float64)


def true_model(rates: Mapping[str, Mapping[str, float]],
               curves: Mapping[str, Mapping[str, npt.NDArray[np.float64]]],
               sends: float = 1e9) -> ResponseModel:
    """A model with given rates per channel and step, as if seen on ``sends`` sends (so the
    posterior is all but certain): the truth the simulation draws from."""
    return ResponseModel(
        {(channel, ""): {step: StepRate(rate * sends, sends) for step, rate in steps.items()}
         for channel, steps in rates.items()},
        {(channel, step): curve for channel, steps in curves.items()
         for step, curve in steps.items()})


def simulate(plans: Sequence[CampaignPlan], truth: ResponseModel, grid: Grid,
             seed: int = 0) -> tuple[pa.Table, pa.Table]:
    """The sends and responses of the plans' batches under the true model.

    Returns:
        ``(sends, responses)`` tables with the columns :func:`fit` needs.
    """
    rng = np.random.default_rng(seed)
    send_parts: list[pa.Table] = []
    response_parts: list[pa.Table] = []
    first_id = 0
    base = np.datetime64(grid.start.replace(tzinfo=None), "s")
    for plan in plans:
        per_slot = schedule(plan, grid).astype(np.int64)
        count = int(per_slot.sum())
        slots = np.repeat(np.arange(grid.slots), per_slot)
        sent = base + (slots * 900 + rng.integers(0, 900, count)).astype("timedelta64[s]")
        ids = np.arange(first_id, first_id + count)
        first_id += count
        send_parts.append(pa.table({
            "send_id": ids, "channel": [plan.channel] * count,
            "segment": pa.array([plan.segment] * count, pa.string()), "sent_at": sent}))
        for step in ("open", "click", "visit", "call", "order"):
            rate = truth.rate(plan.channel, plan.segment, step).mean
            hit = rng.random(count) < rate
            curve = truth.curve(plan.channel, step)
            if not hit.any() or curve.sum() == 0:
                continue
            lag = rng.choice(len(curve), size=int(hit.sum()), p=curve / curve.sum())
            at = sent[hit] + (lag * 900 + rng.integers(0, 900, len(lag))).astype(
                "timedelta64[s]")
            response_parts.append(pa.table({"send_id": ids[hit],
                                             "step": [step] * len(lag), "at": at}))
    schema = pa.schema([("send_id", pa.int64()), ("step", pa.string()),
                        ("at", pa.timestamp("s"))])
    responses = pa.concat_tables([t.cast(schema) for t in response_parts]) \
        if response_parts else schema.empty_table()
    return pa.concat_tables(send_parts), responses


def actual_load(responses: pa.Table, sends: pa.Table, weights: Mapping[str, float],
                grid: Grid) -> npt.NDArray[np.float64]:
    """The load the events put on a resource per slot (``weights``: load per step)."""
    out = np.zeros(grid.slots)
    base = np.datetime64(grid.start.replace(tzinfo=None), "s")
    for step, weight in weights.items():
        if step == "send":
            times = sends.column("sent_at").to_numpy()
        else:
            mask = np.asarray(responses.column("step").to_numpy(zero_copy_only=False) == step)
            times = responses.column("at").to_numpy()[mask]
        slots = ((times.astype("datetime64[s]") - base) // np.timedelta64(900, "s")).astype(
            np.int64)
        slots = slots[(slots >= 0) & (slots < grid.slots)]
        out += weight * np.bincount(slots, minlength=grid.slots)
    return out
