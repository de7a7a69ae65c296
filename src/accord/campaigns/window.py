"""Conversion windows: ``"7d"``-style shorthands and ISO 8601 durations, parsed to timedeltas.

A funnel's window bounds how long after its first step a customer may take to finish; it is
written either as a number and a unit (``"30m"``, ``"12h"``, ``"7d"``, ``"2w"``) or as an
ISO 8601 duration of days and time (``"P7D"``, ``"PT12H"``, ``"P1DT2H30M"``, ``"P2W"``).
Years and months are refused: their length depends on the calendar, a window must not.

>>> parse_window("7d")
datetime.timedelta(days=7)
>>> parse_window("P1DT2H")
datetime.timedelta(days=1, seconds=7200)
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

from accord.errors import ConfigError

__all__ = ["Window", "WindowError", "format_window", "parse_window"]

#: Shorthand unit -> seconds.
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SHORT = re.compile(r"(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>[smhdw])", re.IGNORECASE)
_ISO = re.compile(
    r"P(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?", re.IGNORECASE)


class WindowError(ConfigError):
    """A conversion window that is not a duration; the message quotes it and the forms."""

    def __init__(self, text: object, where: str = "window") -> None:
        self.text = text
        self.where = where
        self.detail = (f"{text!r} is not a duration; write a number and a unit (30m, 12h, "
                       "7d, 2w) or an ISO 8601 duration of days and time (P7D, PT12H, "
                       "P1DT2H); years and months are not allowed")
        super().__init__(f"{where}: {self.detail}")


def parse_window(text: str | dt.timedelta, where: str = "window") -> dt.timedelta:
    """A positive duration from ``"7d"``-style text or ISO 8601 (``P7D``).

    Args:
        text: the window as written (a timedelta passes through, if positive).
        where: what the error message calls the value (``"funnel.window"``).

    Raises:
        WindowError: for anything else, including zero and negative windows.
    """
    if isinstance(text, dt.timedelta):
        if text <= dt.timedelta(0):
            raise WindowError(text, where)
        return text
    if not isinstance(text, str):
        raise WindowError(text, where)
    value = text.strip()
    short = _SHORT.fullmatch(value)
    if short:
        seconds = float(short["amount"]) * _UNITS[short["unit"].lower()]
    else:
        iso = _ISO.fullmatch(value)
        if iso is None or not any(iso.groupdict().values()) or value.upper().endswith("T"):
            raise WindowError(text, where)
        parts = {name: float(amount) for name, amount in iso.groupdict().items() if amount}
        seconds = dt.timedelta(**parts).total_seconds()
    if seconds <= 0:
        raise WindowError(text, where)
    return dt.timedelta(seconds=seconds)


def format_window(window: dt.timedelta) -> str:
    """The window as ISO 8601 (``P7D``, ``PT1H30M``), the form specs are stored in.

    >>> format_window(dt.timedelta(days=1, hours=2))
    'P1DT2H'
    """
    days = window.days
    rest = window.seconds
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    fraction = window.microseconds / 1_000_000
    time = "".join(f"{amount:g}{unit}" for amount, unit in
                   ((hours, "H"), (minutes, "M"), (seconds + fraction, "S")) if amount)
    return f"P{f'{days}D' if days else ''}{'T' + time if time else ''}" if window else "PT0S"


def _validate(value: object) -> dt.timedelta:
    try:
        return parse_window(value)  # type: ignore[arg-type]
    except WindowError as exc:
        raise ValueError(exc.detail) from None


#: A pydantic field type: a window given as text, held as a timedelta, written as ISO 8601.
Window = Annotated[dt.timedelta, BeforeValidator(_validate), PlainSerializer(format_window)]
