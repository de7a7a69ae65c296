"""The contact policy: each rule at its boundaries (at, one before, one after), in the
customer's time zone, and only for what it governs."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.decisioning import (
    ContactLimit,
    ContactPolicy,
    CustomerHistory,
    Outcome,
    OutcomeKind,
    QuietHours,
    Reason,
    Treatment,
    TreatmentKind,
)
from accord.decisioning.policy import check

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)
OFFER = Treatment("offer", "Offer")
ROUTING = Treatment("queue", "Queue", kind=TreatmentKind.ROUTING)
CONSENTING = {"consent_email": True, "consent_sms": True}
NO_HISTORY = CustomerHistory()


def _seen(*outcomes: tuple[str, str, OutcomeKind, dt.datetime]) -> CustomerHistory:
    return CustomerHistory(tuple(Outcome(t, channel, kind, at)
                                 for t, channel, kind, at in outcomes))


# quiet hours: the window itself

@pytest.mark.parametrize(("local", "quiet"), [
    (dt.time(8, 59, 59), False), (dt.time(9), True), (dt.time(9, 0, 1), True),
    (dt.time(16, 59, 59), True), (dt.time(17), False), (dt.time(17, 0, 1), False),
])
def test_quiet_hours_within_a_day_include_the_start_and_exclude_the_end(
        local: dt.time, quiet: bool) -> None:
    assert QuietHours("sms", dt.time(9), dt.time(17)).contains(local) is quiet


@pytest.mark.parametrize(("local", "quiet"), [
    (dt.time(20, 59, 59), False), (dt.time(21), True), (dt.time(21, 0, 1), True),
    (dt.time(0), True), (dt.time(7, 59, 59), True), (dt.time(8), False),
    (dt.time(8, 0, 1), False), (dt.time(12), False),
])
def test_quiet_hours_across_midnight_include_the_start_and_exclude_the_end(
        local: dt.time, quiet: bool) -> None:
    assert QuietHours("sms", dt.time(21), dt.time(8)).contains(local) is quiet


@pytest.mark.parametrize("local", [dt.time(0), dt.time(8, 59, 59), dt.time(9), dt.time(23)])
def test_quiet_hours_from_a_time_to_itself_are_empty(local: dt.time) -> None:
    assert not QuietHours("sms", dt.time(9), dt.time(9)).contains(local)


# quiet hours: in the customer's time zone

NIGHT = ContactPolicy(quiet_hours=(QuietHours("sms", dt.time(21), dt.time(8)),),
                      default_timezone="Asia/Tokyo")


def _quiet(profile: dict[str, object], now: dt.datetime = NOW,
           treatment: Treatment = OFFER, channel: str = "sms",
           policy: ContactPolicy = NIGHT) -> bool:
    verdict = check(treatment, channel, {**CONSENTING, **profile}, NO_HISTORY, policy, now)
    if verdict is None:
        return False
    assert verdict == (Reason.QUIET_HOURS, f"{channel} quiet from 21:00:00 to 08:00:00")
    return True


def test_quiet_hours_are_the_customers_local_time() -> None:
    # 12:00 UTC: 01:00 in Auckland (UTC+13 in November), 13:00 in Paris, 07:00 in New York
    assert _quiet({"timezone": "Pacific/Auckland"})
    assert not _quiet({"timezone": "Europe/Paris"})
    assert _quiet({"timezone": "America/New_York"})
    # 21:00 in Tokyo (UTC+9) starts the night there; a second before it does not
    evening = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
    assert _quiet({"timezone": "Asia/Tokyo"}, evening)
    assert not _quiet({"timezone": "Asia/Tokyo"}, evening - SECOND)
    # 08:00 in New York (UTC-5) ends it
    morning = dt.datetime(2026, 11, 22, 13, 0, tzinfo=dt.UTC)
    assert not _quiet({"timezone": "America/New_York"}, morning)
    assert _quiet({"timezone": "America/New_York"}, morning - SECOND)


def test_the_time_zone_field_is_configurable() -> None:
    policy = ContactPolicy(quiet_hours=NIGHT.quiet_hours, timezone_field="tz")
    assert _quiet({"tz": "Pacific/Auckland"}, policy=policy)
    assert not _quiet({"timezone": "Pacific/Auckland"}, policy=policy)  # UTC: 12:00


@pytest.mark.parametrize("zone", [None, "", "Mars/Olympus_Mons", "../etc/passwd"])
def test_a_missing_or_unknown_time_zone_falls_back_to_the_default(zone: str | None) -> None:
    # 12:00 UTC is 21:00 in Tokyo, the policy's default: quiet; 11:59:59 is not
    assert _quiet({"timezone": zone})
    assert not _quiet({"timezone": zone}, NOW - SECOND)


def test_quiet_hours_only_hold_back_marketing_on_their_channel() -> None:
    auckland = {"timezone": "Pacific/Auckland"}
    assert not _quiet(auckland, treatment=ROUTING)
    assert not _quiet(auckland, channel="email")
    for kind in (TreatmentKind.OFFER, TreatmentKind.CONTENT, TreatmentKind.MESSAGE):
        assert _quiet(auckland, treatment=Treatment("t", "T", kind=kind))


# consent

def test_marketing_needs_the_channels_consent_set_to_true() -> None:
    policy = ContactPolicy()
    for value in (False, None, "yes", 1):
        verdict = check(OFFER, "email", {"consent_email": value}, NO_HISTORY, policy, NOW)
        assert verdict == (Reason.NO_CONSENT, f"consent_email is {value!r}")
    assert check(OFFER, "email", {}, NO_HISTORY, policy, NOW) == (
        Reason.NO_CONSENT, "consent_email is None")
    assert check(OFFER, "email", {"consent_email": True}, NO_HISTORY, policy, NOW) is None
    # no consent field for the channel, or not marketing: no consent needed
    assert check(OFFER, "web", {}, NO_HISTORY, policy, NOW) is None
    assert check(ROUTING, "email", {}, NO_HISTORY, policy, NOW) is None


# complaints and conversions: the edges of their windows

def test_a_complaint_suppresses_marketing_for_exactly_complaint_days() -> None:
    policy = ContactPolicy(complaint_days=30)
    start = NOW - dt.timedelta(days=30)

    def verdict(at: dt.datetime) -> object:
        return check(OFFER, "web", {}, _seen(("x", "web", OutcomeKind.COMPLAINT, at)),
                     policy, NOW)

    assert verdict(start) is None  # thirty days ago to the second: over
    assert verdict(start - SECOND) is None
    assert verdict(start + SECOND) == (Reason.SUPPRESSED_COMPLAINT, "complaint on 2026-10-23")
    assert verdict(NOW) == (Reason.SUPPRESSED_COMPLAINT, "complaint on 2026-11-22")


def test_complaints_hold_back_marketing_only_and_can_be_switched_off() -> None:
    complained = _seen(("x", "web", OutcomeKind.COMPLAINT, NOW - dt.timedelta(days=1)))
    assert check(ROUTING, "web", {}, complained, ContactPolicy(), NOW) is None
    assert check(OFFER, "web", {}, complained, ContactPolicy(complaint_days=None), NOW) is None
    assert check(OFFER, "web", {}, complained, ContactPolicy(), NOW) is not None


def test_a_conversion_suppresses_its_own_treatment_for_exactly_its_days() -> None:
    treatment = Treatment("vip", "VIP", suppress_after_conversion_days=7)
    start = NOW - dt.timedelta(days=7)

    def verdict(at: dt.datetime, converted: str = "vip") -> object:
        return check(treatment, "web", {}, _seen((converted, "web", OutcomeKind.CONVERT, at)),
                     ContactPolicy(), NOW)

    assert verdict(start) is None
    assert verdict(start - SECOND) is None
    assert verdict(start + SECOND) == (
        Reason.SUPPRESSED_CONVERSION, "converted on 2026-11-15, suppressed for 7 days")
    # another treatment's conversion does not suppress this one
    assert verdict(NOW, converted="other") is None
    # nor does a conversion suppress a treatment without the setting
    converted = _seen(("offer", "web", OutcomeKind.CONVERT, NOW))
    assert check(OFFER, "web", {}, converted, ContactPolicy(), NOW) is None


# contact limits

def test_a_treatment_limit_counts_that_treatments_contacts_only() -> None:
    capped = Treatment("vip", "VIP", limits=(ContactLimit(max_count=2, period_days=7),))
    day = dt.timedelta(days=1)
    others = _seen(("spring", "web", OutcomeKind.IMPRESSION, NOW - day),
                   ("spring", "web", OutcomeKind.IMPRESSION, NOW - 2 * day),
                   ("vip", "web", OutcomeKind.IMPRESSION, NOW - 3 * day))
    assert check(capped, "web", {}, others, ContactPolicy(), NOW) is None
    again = CustomerHistory((*others.outcomes,
                             Outcome("vip", "email", OutcomeKind.IMPRESSION, NOW - day)))
    assert check(capped, "web", {}, again, ContactPolicy(), NOW) == (
        Reason.CAPPED, "2 this treatment in 7 days (limit 2)")


def test_a_limit_window_is_exactly_its_days() -> None:
    capped = Treatment("vip", "VIP", limits=(ContactLimit(max_count=1, period_days=7),))
    start = NOW - dt.timedelta(days=7)

    def capped_after(at: dt.datetime) -> bool:
        seen = _seen(("vip", "web", OutcomeKind.IMPRESSION, at))
        return check(capped, "web", {}, seen, ContactPolicy(), NOW) is not None

    assert not capped_after(start)
    assert not capped_after(start - SECOND)
    assert capped_after(start + SECOND)


def test_only_impressions_are_contacts() -> None:
    capped = Treatment("vip", "VIP", limits=(ContactLimit(max_count=1, period_days=7),))
    for kind in (OutcomeKind.CLICK, OutcomeKind.ACCEPT, OutcomeKind.REJECT):
        seen = _seen(("vip", "web", kind, NOW - SECOND))
        assert check(capped, "web", {}, seen, ContactPolicy(), NOW) is None


def test_a_channel_limit_counts_every_treatment_on_its_channel_only() -> None:
    policy = ContactPolicy(limits=(ContactLimit(max_count=2, period_days=1, channel="email",
                                                scope="channel"),))
    hour = dt.timedelta(hours=1)
    web_and_one_email = _seen(("a", "web", OutcomeKind.IMPRESSION, NOW - hour),
                              ("b", "web", OutcomeKind.IMPRESSION, NOW - 2 * hour),
                              ("c", "email", OutcomeKind.IMPRESSION, NOW - 3 * hour))
    assert check(OFFER, "email", CONSENTING, web_and_one_email, policy, NOW) is None
    two_emails = CustomerHistory((*web_and_one_email.outcomes,
                                  Outcome("d", "email", OutcomeKind.IMPRESSION, NOW - hour)))
    assert check(OFFER, "email", CONSENTING, two_emails, policy, NOW) == (
        Reason.CAPPED, "2 contacts on email in 1 days (limit 2)")
    # the email limit does not apply to a web decision
    assert check(OFFER, "web", CONSENTING, two_emails, policy, NOW) is None


def test_a_limit_without_a_channel_counts_every_channel() -> None:
    policy = ContactPolicy(limits=(ContactLimit(max_count=3, period_days=1, scope="channel"),))
    hour = dt.timedelta(hours=1)
    seen = _seen(("a", "web", OutcomeKind.IMPRESSION, NOW - hour),
                 ("b", "email", OutcomeKind.IMPRESSION, NOW - hour),
                 ("c", "sms", OutcomeKind.IMPRESSION, NOW - hour))
    assert check(OFFER, "app", {}, seen, policy, NOW) == (
        Reason.CAPPED, "3 contacts in 1 days (limit 3)")
    per_treatment = Treatment("a", "A", limits=(ContactLimit(max_count=1, period_days=1,
                                                             channel="web"),))
    assert check(per_treatment, "web", {}, seen, ContactPolicy(), NOW) == (
        Reason.CAPPED, "1 this treatment on web in 1 days (limit 1)")


def test_the_first_rule_that_says_no_is_the_reason() -> None:
    # consent, then complaint, then conversion, then quiet hours, then limits: each step
    # lifts the rule that answered the step before
    treatment = Treatment("vip", "VIP", suppress_after_conversion_days=30,
                          limits=(ContactLimit(max_count=0, period_days=1),))
    all_day = ContactPolicy(quiet_hours=(QuietHours("email", dt.time(0), dt.time(23)),))
    converted = _seen(("vip", "email", OutcomeKind.CONVERT, NOW - SECOND))
    complained = CustomerHistory((*converted.outcomes, Outcome(
        "x", "email", OutcomeKind.COMPLAINT, NOW - SECOND)))
    steps = [({"consent_email": False}, complained, all_day, Reason.NO_CONSENT),
             (CONSENTING, complained, all_day, Reason.SUPPRESSED_COMPLAINT),
             (CONSENTING, converted, all_day, Reason.SUPPRESSED_CONVERSION),
             (CONSENTING, NO_HISTORY, all_day, Reason.QUIET_HOURS),
             (CONSENTING, NO_HISTORY, ContactPolicy(), Reason.CAPPED)]
    for profile, history, policy, reason in steps:
        verdict = check(treatment, "email", profile, history, policy, NOW)
        assert verdict is not None and verdict[0] is reason
