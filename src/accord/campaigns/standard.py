"""The standard funnels: e-mail and web, over the hub's event types.

* **e-mail**: sent, delivered, opened, clicked, converted (a purchase);
* **web**: visit (a page view), product view, add to cart, checkout, purchase.

Steps marked optional (delivered, product view) are left out when the data has never had
that event type (many e-mail platforms export no deliveries); :func:`standard_funnel` says
which it left out. Any other missing type is an error, as in every funnel.

>>> funnel, omitted = standard_funnel("email", {"email_sent", "email_opened",
...                                              "email_clicked", "purchase"})
>>> [s.label for s in funnel.steps], omitted
(['sent', 'opened', 'clicked', 'converted'], ['delivered'])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from accord.campaigns.errors import FunnelDefinitionError
from accord.campaigns.funnel import Funnel, Step

__all__ = ["STANDARD", "StandardStep", "standard_funnel"]


@dataclass(frozen=True, slots=True)
class StandardStep:
    """A step of a standard funnel."""

    name: str
    event_type: str
    optional: bool = False


#: Funnel name -> steps and default window.
STANDARD: dict[str, tuple[tuple[StandardStep, ...], dt.timedelta]] = {
    "email": ((StandardStep("sent", "email_sent"),
               StandardStep("delivered", "email_delivered", optional=True),
               StandardStep("opened", "email_opened"),
               StandardStep("clicked", "email_clicked"),
               StandardStep("converted", "purchase")), dt.timedelta(days=7)),
    "web": ((StandardStep("visit", "page_view"),
             StandardStep("product view", "product_view", optional=True),
             StandardStep("add to cart", "add_to_cart"),
             StandardStep("checkout", "checkout"),
             StandardStep("purchase", "purchase")), dt.timedelta(days=1)),
}


def standard_funnel(name: str, known_types: Collection[str], *,
                    window: dt.timedelta | None = None, breakdown: str | None = None
                    ) -> tuple[Funnel, list[str]]:
    """A standard funnel fitted to the event types the data has.

    Returns:
        The funnel, and the names of the optional steps left out.

    Raises:
        FunnelDefinitionError: an unknown standard funnel name.
    """
    if name not in STANDARD:
        raise FunnelDefinitionError("funnel", f"no standard funnel {name!r}; known: "
                                    f"{', '.join(STANDARD)}")
    steps, default_window = STANDARD[name]
    kept = [s for s in steps if not s.optional or s.event_type in known_types]
    omitted = [s.name for s in steps if s not in kept]
    funnel = Funnel(name=name, steps=[Step(event_type=s.event_type, name=s.name)
                                      for s in kept],
                    window=window or default_window, breakdown=breakdown)
    return funnel, omitted
