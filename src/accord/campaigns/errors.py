"""Errors of campaigns and funnels, each naming the field at fault.

``CampaignDefinitionError`` and ``FunnelDefinitionError`` derive from
:class:`accord.errors.ConfigError`: the CLI prints them as one line, the API answers 400.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from accord.errors import AccordError, ConfigError

__all__ = ["CampaignDefinitionError", "FunnelDefinitionError", "UnknownCampaign", "validated"]

_M = TypeVar("_M", bound=BaseModel)


class CampaignDefinitionError(ConfigError):
    """A campaign spec that is not valid.

    Attributes:
        field: the dotted path of the bad field (``costs.cpm``, ``audience``).
        problem: what is wrong with it.
    """

    def __init__(self, field: str, problem: str, *, what: str = "campaign") -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{what} field {field!r}: {problem}")


class FunnelDefinitionError(CampaignDefinitionError):
    """A funnel definition that is not valid (unknown event type, bad window, bad filter)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(field, problem, what="funnel")


class UnknownCampaign(AccordError):
    """No campaign by that name."""


def _path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "(top level)"


def validated(model: type[_M], data: Any, *,
              error: type[CampaignDefinitionError] = CampaignDefinitionError) -> _M:
    """``model.model_validate(data)``, reporting the first problem as ``error`` naming its field.

    Raises:
        CampaignDefinitionError: (or ``error``) naming the dotted path of the bad field.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        raise error(_path(tuple(first["loc"])), message) from None
