"""The treatment catalogue: what can be given to a customer, where, and within which limits.

Treatments are values: the operational store persists them, the decision path receives them.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal


class TreatmentKind(enum.StrEnum):
    """What a treatment is."""

    OFFER = "offer"
    CONTENT = "content"
    MESSAGE = "message"
    ROUTING = "routing"
    ALERT = "alert"


@dataclass(frozen=True, slots=True)
class ContactLimit:
    """At most ``max_count`` of this treatment (or, with ``scope="channel"``, of any treatment
    on the channel) per customer in ``period_days``; ``channel`` narrows it to one channel."""

    max_count: int
    period_days: int
    channel: str | None = None
    scope: str = "treatment"  # "treatment" or "channel"

    def __post_init__(self) -> None:
        if self.max_count < 0 or self.period_days <= 0:
            raise ValueError("a contact limit needs max_count >= 0 and period_days > 0")
        if self.scope not in ("treatment", "channel"):
            raise ValueError(f"contact limit scope must be 'treatment' or 'channel', "
                             f"not {self.scope!r}")


@dataclass(frozen=True, slots=True)
class Treatment:
    """One treatment.

    Attributes:
        id: stable identifier.
        kind: offer, content, message, routing or alert.
        channels: channels it can be given in (empty: every channel).
        placements: placements it can fill (empty: every placement).
        valid_from / valid_to: validity window (UTC), open when None.
        value: the margin it earns when accepted.
        cost: what giving it costs.
        weight: the business weight (a lever marketing turns).
        budget: total cost it may spend; ``inventory``: how many may be accepted.
        eligibility: names of the DMN decisions that must all say yes.
        limits: contact limits.
        suppress_after_conversion_days: not given again this long after a conversion.
        holdout_share: the share of customers held out (given the placement default).
        payload: what the channel shows (text, image, routing queue), opaque here.
    """

    id: str
    name: str
    kind: TreatmentKind = TreatmentKind.OFFER
    channels: frozenset[str] = frozenset()
    placements: frozenset[str] = frozenset()
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    value: Decimal = Decimal(1)
    cost: Decimal = Decimal(0)
    weight: Decimal = Decimal(1)
    budget: Decimal | None = None
    inventory: int | None = None
    eligibility: tuple[str, ...] = ()
    limits: tuple[ContactLimit, ...] = ()
    suppress_after_conversion_days: int | None = None
    holdout_share: float = 0.0
    payload: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 <= self.holdout_share < 1.0:
            raise ValueError(f"treatment {self.id}: holdout_share must be in [0, 1)")
        if self.valid_from and self.valid_to and self.valid_from >= self.valid_to:
            raise ValueError(f"treatment {self.id}: valid_from must be before valid_to")


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The treatments of a rule set, and the default treatment of each placement (given to
    holdouts and when nothing is eligible)."""

    treatments: tuple[Treatment, ...]
    defaults: Mapping[str, str] = field(default_factory=dict)
    _by_id: dict[str, Treatment] = field(default_factory=dict, init=False, repr=False,
                                         compare=False)

    def __post_init__(self) -> None:
        self._by_id.update((t.id, t) for t in self.treatments)
        ids = [t.id for t in self.treatments]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate treatment ids: {', '.join(duplicates)}")
        unknown = sorted(set(self.defaults.values()) - set(ids))
        if unknown:
            raise ValueError(f"placement defaults name unknown treatments: {', '.join(unknown)}")

    def by_id(self) -> Mapping[str, Treatment]:
        """Treatments by id (built once)."""
        return self._by_id

    @classmethod
    def of(cls, treatments: Iterable[Treatment],
           defaults: Mapping[str, str] | None = None) -> Catalogue:
        return cls(tuple(treatments), dict(defaults or {}))
