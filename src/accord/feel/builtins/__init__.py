"""FEEL built-in functions of DMN 1.5 clause 10.3.4, as one registry.

``BUILTINS`` maps each FEEL name (with spaces: ``"string length"``) to a
:class:`~accord.feel.values.FeelFunction`. Every function takes positional arguments,
checks their number against its signatures and returns ``None`` (FEEL null) on any
wrong type or count; none raises.
"""

from __future__ import annotations

from accord.feel.builtins import (
    contexts,
    conversion,
    lists,
    misc,
    numeric,
    ranges,
    strings,
    temporal_fns,
)
from accord.feel.builtins.conversion import feel_string, format_number
from accord.feel.builtins.temporal_fns import set_clock
from accord.feel.values import FeelFunction

BUILTINS: dict[str, FeelFunction] = {
    **conversion.FUNCTIONS,
    **numeric.FUNCTIONS,
    **strings.FUNCTIONS,
    **lists.FUNCTIONS,
    **temporal_fns.FUNCTIONS,
    **ranges.FUNCTIONS,
    **contexts.FUNCTIONS,
    **misc.FUNCTIONS,
}

__all__ = ["BUILTINS", "feel_string", "format_number", "set_clock"]
