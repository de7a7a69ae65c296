"""The contact policy: limits, suppressions, quiet hours and consent (pure checks).

Each check returns ``None`` when the treatment may be given, or a :class:`Reason` and a
detail saying which rule stopped it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from accord.decisioning.history import CONTACTS, CustomerHistory, OutcomeKind
from accord.decisioning.reasons import Reason
from accord.decisioning.treatments import ContactLimit, Treatment, TreatmentKind

Verdict = tuple[Reason, str] | None


@dataclass(frozen=True, slots=True)
class QuietHours:
    """No contact on ``channel`` between ``start`` and ``end`` local time (may span midnight)."""

    channel: str
    start: dt.time
    end: dt.time

    def contains(self, local: dt.time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


@dataclass(frozen=True, slots=True)
class ContactPolicy:
    """Rules that apply across treatments.

    Attributes:
        limits: channel-wide limits (``scope="channel"``): at most N contacts per period.
        complaint_days: after a complaint, no marketing (offers, content, messages) this long.
        quiet_hours: per channel.
        consent_fields: channel -> profile field that must be true to contact on it.
        timezone_field: profile field holding the customer's IANA time zone.
        default_timezone: used when the profile has none.
    """

    limits: tuple[ContactLimit, ...] = ()
    complaint_days: int | None = 30
    quiet_hours: tuple[QuietHours, ...] = ()
    consent_fields: Mapping[str, str] = field(default_factory=lambda: {
        "email": "consent_email", "sms": "consent_sms"})
    timezone_field: str = "timezone"
    default_timezone: str = "UTC"


_MARKETING = frozenset({TreatmentKind.OFFER, TreatmentKind.CONTENT, TreatmentKind.MESSAGE})


def _limit_verdict(limit: ContactLimit, history: CustomerHistory, now: dt.datetime,
                   treatment: Treatment, channel: str) -> Verdict:
    if limit.channel is not None and limit.channel != channel:
        return None
    since = now - dt.timedelta(days=limit.period_days)
    count = history.count(CONTACTS, since,
                          treatment_id=treatment.id if limit.scope == "treatment" else None,
                          channel=limit.channel)
    if count >= limit.max_count:
        where = f" on {limit.channel}" if limit.channel else ""
        what = "this treatment" if limit.scope == "treatment" else "contacts"
        return Reason.CAPPED, (f"{count} {what}{where} in {limit.period_days} days "
                               f"(limit {limit.max_count})")
    return None


def check(treatment: Treatment, channel: str, profile: Mapping[str, Any],
          history: CustomerHistory, policy: ContactPolicy, now: dt.datetime) -> Verdict:
    """The first contact-policy rule that stops ``treatment`` now, or ``None``."""
    for rule in _CHECKS:
        verdict = rule(treatment, channel, profile, history, policy, now)
        if verdict is not None:
            return verdict
    return None


def _consent(treatment: Treatment, channel: str, profile: Mapping[str, Any],
             history: CustomerHistory, policy: ContactPolicy, now: dt.datetime) -> Verdict:
    consent_field = policy.consent_fields.get(channel)
    if consent_field is None or treatment.kind not in _MARKETING:
        return None
    if profile.get(consent_field) is not True:
        return Reason.NO_CONSENT, f"{consent_field} is {profile.get(consent_field)!r}"
    return None


def _quiet_hours(treatment: Treatment, channel: str, profile: Mapping[str, Any],
                 history: CustomerHistory, policy: ContactPolicy, now: dt.datetime) -> Verdict:
    hours = [q for q in policy.quiet_hours if q.channel == channel]
    if not hours or treatment.kind not in _MARKETING:
        return None
    zone = profile.get(policy.timezone_field) or policy.default_timezone
    try:
        local = now.astimezone(ZoneInfo(str(zone))).time()
    except (KeyError, ValueError):
        local = now.astimezone(ZoneInfo(policy.default_timezone)).time()
    for quiet in hours:
        if quiet.contains(local):
            return Reason.QUIET_HOURS, f"{channel} quiet from {quiet.start} to {quiet.end}"
    return None


def _complaint(treatment: Treatment, channel: str, profile: Mapping[str, Any],
               history: CustomerHistory, policy: ContactPolicy, now: dt.datetime) -> Verdict:
    if policy.complaint_days is None or treatment.kind not in _MARKETING:
        return None
    last = history.last(OutcomeKind.COMPLAINT)
    if last is not None and last > now - dt.timedelta(days=policy.complaint_days):
        return Reason.SUPPRESSED_COMPLAINT, f"complaint on {last.date().isoformat()}"
    return None


def _conversion(treatment: Treatment, channel: str, profile: Mapping[str, Any],
                history: CustomerHistory, policy: ContactPolicy, now: dt.datetime) -> Verdict:
    days = treatment.suppress_after_conversion_days
    if days is None:
        return None
    last = history.last(OutcomeKind.CONVERT, treatment.id)
    if last is not None and last > now - dt.timedelta(days=days):
        return Reason.SUPPRESSED_CONVERSION, (
            f"converted on {last.date().isoformat()}, suppressed for {days} days")
    return None


def _limits(treatment: Treatment, channel: str, profile: Mapping[str, Any],
            history: CustomerHistory, policy: ContactPolicy, now: dt.datetime) -> Verdict:
    for limit in (*treatment.limits, *policy.limits):
        verdict = _limit_verdict(limit, history, now, treatment, channel)
        if verdict is not None:
            return verdict
    return None


_CHECKS: tuple[Callable[..., Verdict], ...] = (_consent, _complaint, _conversion, _quiet_hours,
                                                _limits)
