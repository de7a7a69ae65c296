"""The response model, learned from history: per channel (and segment) the rate of every
response step per send, with its uncertainty, and per channel and step the time-to-response
curve (the share of responses in each 15-minute slot after the send).

Rates are Beta posteriors (a uniform Beta(1, 1) prior updated with the sends that led to the
step at least once), so a channel seen on 200 sends has a wide band and one seen on 2 million
a narrow one. A segment seen on fewer than ``min_sends`` sends falls back to its channel's
rates. The ``call`` step is the service contacts the campaign generates (calls to the contact
centre per send); :meth:`ResponseModel.contacts_per_response` gives them per responder.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import sqlglot
from scipy import stats
from sqlglot import exp

from accord.capacity.grid import PER_HOUR, CapacityError
from accord.capacity.resources import STEPS

#: Default horizon of response curves: 72 hours of 15-minute slots.
HORIZON = 72 * PER_HOUR
#: Columns the event log tables need.
SEND_COLUMNS = ("send_id", "channel", "segment", "sent_at")
RESPONSE_COLUMNS = ("send_id", "step", "at")


@dataclass(frozen=True, slots=True)
class StepRate:
    """The Beta posterior of a step's rate per send.

    >>> r = StepRate(hits=30, sends=1000)
    >>> round(r.mean, 4), round(r.sd, 4)
    (0.0309, 0.0055)
    """

    hits: float
    sends: float

    @property
    def alpha(self) -> float:
        return 1.0 + self.hits

    @property
    def beta(self) -> float:
        return 1.0 + self.sends - self.hits

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def sd(self) -> float:
        a, b = self.alpha, self.beta
        return math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1.0)))

    def interval(self, level: float = 0.9) -> tuple[float, float]:
        """The central credible interval."""
        low, high = stats.beta.ppf([(1 - level) / 2, (1 + level) / 2], self.alpha, self.beta)
        return float(low), float(high)


@dataclass(frozen=True, slots=True)
class ResponseModel:
    """Rates by ``(channel, segment)`` (segment ``""`` is the whole channel) and curves by
    ``(channel, step)`` (shares per slot after the send, summing to 1)."""

    rates: Mapping[tuple[str, str], Mapping[str, StepRate]]
    curves: Mapping[tuple[str, str], npt.NDArray[np.float64]]
    min_sends: int = 1000
    horizon: int = HORIZON

    def channels(self) -> list[str]:
        return sorted({channel for channel, _ in self.rates})

    def rate(self, channel: str, segment: str | None, step: str) -> StepRate:
        """The step's rate for a segment of a channel (the channel's when the segment is
        unknown or seen on fewer than ``min_sends`` sends)."""
        if step == "send":
            return StepRate(1.0, 1.0)  # the send itself: certain (posterior ignored below)
        by_segment = self.rates.get((channel, segment or ""))
        if by_segment is None or next(iter(by_segment.values()), StepRate(0, 0)).sends \
                < self.min_sends:
            by_segment = self.rates.get((channel, ""))
        if by_segment is None:
            raise CapacityError(f"the response model has no history for channel {channel!r} "
                                f"(known: {', '.join(self.channels()) or 'none'})")
        return by_segment.get(step, StepRate(0.0, next(iter(by_segment.values())).sends))

    def curve(self, channel: str, step: str) -> npt.NDArray[np.float64]:
        """Share of the step's responses in each slot after the send (``send``: slot 0)."""
        if step == "send":
            return np.ones(1)
        found = self.curves.get((channel, step))
        return found if found is not None else np.zeros(1)

    def contacts_per_response(self, channel: str, segment: str | None = None) -> float:
        """Service contacts (calls) per responder (a send that led to a visit or an order)."""
        responders = max(self.rate(channel, segment, "visit").mean,
                         self.rate(channel, segment, "order").mean)
        return self.rate(channel, segment, "call").mean / responders if responders else 0.0

    def to_data(self) -> dict[str, Any]:
        """The model as JSON-ready data (:func:`model_from_data` reads it back)."""
        return {"min_sends": self.min_sends, "horizon": self.horizon,
                "rates": [{"channel": c, "segment": s, "step": step, "hits": r.hits,
                           "sends": r.sends} for (c, s), steps in self.rates.items()
                          for step, r in steps.items()],
                "curves": [{"channel": c, "step": step, "shares": curve.tolist()}
                           for (c, step), curve in self.curves.items()]}


def model_from_data(data: Mapping[str, Any]) -> ResponseModel:
    """A model from :meth:`ResponseModel.to_data`'s output."""
    rates: dict[tuple[str, str], dict[str, StepRate]] = {}
    for row in data["rates"]:
        rates.setdefault((row["channel"], row["segment"]), {})[row["step"]] = StepRate(
            float(row["hits"]), float(row["sends"]))
    curves = {(row["channel"], row["step"]): np.asarray(row["shares"], dtype=np.float64)
              for row in data["curves"]}
    return ResponseModel(rates, curves, int(data.get("min_sends", 1000)),
                         int(data.get("horizon", HORIZON)))


def read_model(path: Path) -> ResponseModel:
    """A response model saved as JSON (``accord capacity fit --out``).

    Raises:
        CapacityError: the file cannot be read or is not a response model.
    """
    try:
        return model_from_data(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError) as exc:
        raise CapacityError(f"cannot read response model {path}: {exc}") from None


def _check(table: pa.Table, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise CapacityError(f"the {name} table lacks column(s) {', '.join(missing)} "
                            f"(needs {', '.join(columns)})")


def _queries(horizon: int) -> dict[str, exp.Expression]:
    """The three aggregations, as sqlglot trees over tables ``sends`` and ``responses``."""
    joined = exp.select().from_("responses AS r").join(
        "sends AS s", on="r.send_id = s.send_id")
    lag = sqlglot.parse_one("CAST(FLOOR(DATE_DIFF('second', s.sent_at, r.at) / 900) AS BIGINT)",
                            read="duckdb")
    return {
        "sends": exp.select("channel", "COALESCE(segment, '') AS segment",
                            "COUNT(*) AS n").from_("sends").group_by("1", "2"),
        "hits": joined.select("s.channel", "COALESCE(s.segment, '') AS segment", "r.step",
                              "COUNT(DISTINCT r.send_id) AS n").group_by("1", "2", "3"),
        "curves": joined.select("s.channel", "r.step", lag.as_("slot"), "COUNT(*) AS n")
        .where(exp.and_(lag >= 0, lag < horizon)).group_by("1", "2", "3"),
    }


def fit(sends: pa.Table, responses: pa.Table, *, horizon: int = HORIZON,
        min_sends: int = 1000) -> ResponseModel:
    """Fit the response model from an event log.

    Args:
        sends: one row per message sent: ``send_id``, ``channel``, ``segment`` (may be null),
            ``sent_at`` (timestamp).
        responses: one row per response event: ``send_id``, ``step`` (one of ``open``,
            ``click``, ``visit``, ``call``, ``order``), ``at`` (timestamp).
        horizon: slots after a send that responses are counted in (later ones are ignored).
        min_sends: sends a segment needs before its own rates are used.

    Returns:
        The fitted model.
    """
    _check(sends, SEND_COLUMNS, "sends")
    _check(responses, RESPONSE_COLUMNS, "responses")
    unknown = set(responses.column("step").unique().to_pylist()) - set(STEPS[1:])
    if unknown:
        raise CapacityError(f"unknown response step(s) {sorted(map(str, unknown))} "
                            f"(steps: {', '.join(STEPS[1:])})")
    connection = duckdb.connect()
    try:
        connection.register("sends", sends)
        connection.register("responses", responses)
        results = {name: connection.execute(query.sql("duckdb")).fetchall()
                   for name, query in _queries(horizon).items()}
    finally:
        connection.close()
    totals: dict[tuple[str, str], float] = {}
    for channel, segment, n in results["sends"]:
        if segment:  # sends without a segment count for their channel only
            totals[(channel, segment)] = float(n)
        totals[(channel, "")] = totals.get((channel, ""), 0.0) + float(n)
    hits: dict[tuple[str, str], dict[str, float]] = {}
    for channel, segment, step, n in results["hits"]:
        for key in {(channel, segment), (channel, "")}:
            counts = hits.setdefault(key, {})
            counts[step] = counts.get(step, 0.0) + float(n)
    rates = {key: {step: StepRate(hits.get(key, {}).get(step, 0.0), total)
                   for step in STEPS[1:]} for key, total in totals.items()}
    curves: dict[tuple[str, str], npt.NDArray[np.float64]] = {}
    for channel, step, slot, n in results["curves"]:
        curve = curves.setdefault((channel, step), np.zeros(horizon))
        curve[slot] += n
    for curve in curves.values():
        curve /= curve.sum()
    return ResponseModel(rates, curves, min_sends, horizon)
