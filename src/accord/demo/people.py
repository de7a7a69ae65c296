"""People and the CRM's contact records of them, with the variants real CRMs hold.

Each person has one true e-mail address and phone number, both unique (built from
bijections of the person number), so the truth is unambiguous. The CRM writes them the way
people and shop staff type them: e-mail in mixed case or with stray spaces, phones in six
national and international formats, and about one person in twenty registered twice under
different contact ids (sharing the e-mail or the phone, never neither). On request
(``DemoSpec.placeholder_records``) some records carry a placeholder e-mail that identity
resolution must refuse to link on.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from accord.demo import catalogue as cat
from accord.demo.columns import (
    DAY,
    BoolArray,
    FloatArray,
    IntArray,
    choose,
    concat,
    mask,
    pick,
    slice_text,
    text,
    timestamps,
    uniform_between,
    weighted,
)
from accord.demo.spec import DemoSpec

#: The e-mail some shop staff type when a customer gives none; shared by many records.
PLACEHOLDER_EMAIL = "no-email@example.com"
#: British mobile prefixes used (07400 to 07599).
GB_PREFIXES = 200


@dataclass(frozen=True)
class People:
    """A block of people: their true attributes, as numpy and Arrow columns."""

    person: IntArray
    first_name: pa.Array
    last_name: pa.Array
    email: pa.Array
    phone_digits: pa.Array
    ireland: BoolArray
    has_phone: BoolArray
    placeholder: BoolArray
    street: pa.Array
    city: pa.Array
    postcode: pa.Array
    country: pa.Array
    birth_date: pa.Array
    created: IntArray
    active_until: IntArray
    engagement: FloatArray
    in_crm: BoolArray
    consent_email: BoolArray
    consent_sms: BoolArray
    favourite: IntArray
    anonymous_id: pa.Array
    #: The contact id of the person's first CRM record, and of a duplicate (else null).
    primary_contact: pa.Array
    duplicate_contact: pa.Array

    def __len__(self) -> int:
        return len(self.person)


def day_seconds(day: dt.date) -> int:
    """Seconds since the epoch at the start of ``day`` (UTC)."""
    return calendar.timegm(day.timetuple())


def email_variant(rng: np.random.Generator, email: pa.Array) -> pa.Array:
    """The e-mail as people type it: mostly as is, else capitalised, upper case or padded."""
    code = weighted(rng, (0.72, 0.1, 0.06, 0.07, 0.05), len(email))
    local_domain = pc.split_pattern(email, "@", max_splits=1)
    local = pc.list_element(local_domain, 0)
    domain = pc.list_element(local_domain, 1)
    return choose(code, (
        email,
        concat(pc.utf8_capitalize(local), "@", domain),
        pc.utf8_upper(email),
        concat("  ", email, " "),
        concat(local, "@", pc.utf8_upper(domain)),
    ))


def phone_variant(rng: np.random.Generator, digits: pa.Array, ireland: BoolArray) -> pa.Array:
    """A phone number in one of the formats people write (national only for GB numbers,
    which the default region resolves)."""
    size = len(digits)
    head, tail = slice_text(digits, 0, 4), slice_text(digits, 4, 10)
    gb = choose(weighted(rng, (0.25, 0.25, 0.15, 0.15, 0.08, 0.07, 0.05), size), (
        concat("+44 ", head, " ", tail),
        concat("0", head, " ", tail),
        concat("0", digits),
        concat("+44", digits),
        concat("0044 ", head, " ", tail),
        concat("(0", head, ") ", slice_text(digits, 4, 7), " ", slice_text(digits, 7, 10)),
        concat("+44 (0)", head, " ", tail),
    ))
    ie = choose(weighted(rng, (0.5, 0.3, 0.2), size), (
        concat("+353 ", slice_text(digits, 0, 2), " ", slice_text(digits, 2, 5), " ",
               slice_text(digits, 5, 9)),
        concat("+353", digits),
        concat("00353 ", slice_text(digits, 0, 2), " ", slice_text(digits, 2, 9)),
    ))
    return pc.if_else(pa.array(ireland), ie, gb)


def make_people(rng: np.random.Generator, spec: DemoSpec, first: int, count: int,
                first_contact: int) -> tuple[People, int]:
    """Draw ``count`` people numbered from ``first``; contact ids start at ``first_contact``.

    Returns the people and the number of CRM contact ids they use.
    """
    person = np.arange(first, first + count, dtype=np.int64)
    first_i = rng.integers(0, len(cat.FIRST_NAMES), count)
    last_i = rng.integers(0, len(cat.LAST_NAMES), count)
    first_name = pick(cat.FIRST_NAMES, first_i)
    last_name = pick(cat.LAST_NAMES, last_i)
    lower_first = pc.utf8_lower(first_name)
    lower_last = pc.replace_substring(pc.utf8_lower(last_name), "'", "")
    number = text(person + 1)
    local = choose(weighted(rng, (0.45, 0.2, 0.2, 0.15), count), (
        concat(lower_first, ".", lower_last, number),
        concat(lower_first, number),
        concat(slice_text(lower_first, 0, 1), lower_last, number),
        concat(lower_first, "_", lower_last, number),
    ))
    email = concat(local, "@", pick(cat.EMAIL_DOMAINS, rng.integers(0, len(cat.EMAIL_DOMAINS),
                                                                  count)))
    city_i = weighted(rng, [6, 4, 4] + [3] * 12 + [1] * 5, count)
    ireland = np.asarray([cat.CITIES[i][2] == "IE" for i in range(len(cat.CITIES))])[city_i]
    # Bijections (multipliers coprime to the moduli) keep every number unique. British
    # mobiles use the prefixes 07400 to 07599, all allocated, so every number is valid.
    offset = spec.seed * 7919
    gb_number = (person * 2_654_435_761 + offset) % (GB_PREFIXES * 1_000_000)
    gb_digits = concat(text(7400 + gb_number // 1_000_000), text(gb_number % 1_000_000, 6))
    ie_digits = concat(pick(("83", "85", "86", "87", "89"), person % 5),
                       text((person * 48271 + offset) % 10_000_000, 7))
    phone_digits = pc.if_else(pa.array(ireland), ie_digits, gb_digits)
    as_of = day_seconds(spec.as_of) + DAY - 1
    six_years = 6 * 365 * DAY
    created = as_of - DAY - (six_years * rng.random(count) ** 1.6).astype(np.int64)
    churned = rng.random(count) < 0.35
    active_until = np.where(churned, uniform_between(rng, created, np.full(count, as_of)), as_of)
    engagement = rng.gamma(0.8, 1 / 0.8, count)
    in_crm = rng.random(count) >= spec.guest_rate
    has_phone = rng.random(count) < 0.88
    placeholder = np.zeros(count, dtype=np.bool_)
    crm_index = np.flatnonzero(in_crm)
    wanted = min(spec.placeholder_records, len(crm_index))
    placeholder[rng.choice(crm_index, wanted, replace=False)] = True
    has_phone |= placeholder  # their only usable identifier
    street = concat(text(rng.integers(1, 200, count)), " ",
                    pick(cat.STREETS, rng.integers(0, len(cat.STREETS), count)))
    letters = tuple("ABDEFGHJLNPQRSTUWXYZ")  # the letters postcodes' inward codes use
    postcode = concat(pick([c[1] for c in cat.CITIES], city_i),
                      text(rng.integers(1, 30, count)), " ", text(rng.integers(1, 10, count)),
                      pick(letters, rng.integers(0, len(letters), count)),
                      pick(letters, rng.integers(0, len(letters), count)))
    age_days = rng.integers(18 * 365, 80 * 365, count)
    birth = (np.datetime64(spec.as_of, "D") - age_days).astype("datetime64[D]")
    duplicate = in_crm & (rng.random(count) < spec.duplicate_rate)
    contact_number = np.full(count, -1, dtype=np.int64)
    contact_number[in_crm] = first_contact + np.arange(int(in_crm.sum()))
    used = int(in_crm.sum())
    duplicate_number = np.full(count, -1, dtype=np.int64)
    duplicate_number[duplicate] = first_contact + used + np.arange(int(duplicate.sum()))
    used += int(duplicate.sum())
    people = People(
        person=person, first_name=first_name, last_name=last_name, email=email,
        phone_digits=phone_digits, ireland=ireland, has_phone=has_phone,
        placeholder=placeholder, street=street, city=pick([c[0] for c in cat.CITIES], city_i),
        postcode=postcode, country=pick([c[2] for c in cat.CITIES], city_i),
        birth_date=pa.array(birth, type=pa.date32()), created=created,
        active_until=active_until, engagement=engagement, in_crm=in_crm,
        consent_email=in_crm & (rng.random(count) < 0.7) & ~placeholder,
        consent_sms=in_crm & has_phone & (rng.random(count) < 0.4),
        favourite=rng.integers(0, len(cat.CATEGORIES), count),
        anonymous_id=concat("anon-", text((person * 2_654_435_761 + offset) % 2**40, 13)),
        primary_contact=mask(contact_id(contact_number), in_crm),
        duplicate_contact=mask(contact_id(duplicate_number), duplicate),
    )
    return people, used


def contact_id(number: IntArray) -> pa.Array:
    """CRM contact ids: ``C`` and eight digits, scattered (a bijection modulo 1e8) so that
    duplicates do not sit next to their originals."""
    return concat("C", text((np.maximum(number, 0) * 7919 + 1_000_003) % 100_000_000, 8))


def crm_contacts(rng: np.random.Generator, people: People, spec: DemoSpec) -> pa.Table:
    """The CRM export: one row per contact record (originals, then duplicates)."""
    original = people.in_crm
    primary = _contact_rows(rng, people, np.flatnonzero(original), duplicate=False)
    dup_index = np.flatnonzero(pc.is_valid(people.duplicate_contact)
                               .to_numpy(zero_copy_only=False))
    duplicates = _contact_rows(rng, people, dup_index, duplicate=True)
    return pa.concat_tables([primary, duplicates])


def _contact_rows(rng: np.random.Generator, people: People, index: IntArray, *,
                  duplicate: bool) -> pa.Table:
    size = len(index)
    take = pa.array(index)
    email = people.email.take(take)
    digits = people.phone_digits.take(take)
    ireland = people.ireland[index]
    has_phone = people.has_phone[index]
    typed_email = email_variant(rng, email)
    if duplicate:
        # A second registration shares the e-mail (typed differently) or, when it gives a
        # new address, the phone; never neither.
        by_phone = has_phone & (rng.random(size) < 0.4) | people.placeholder[index]
        local_domain = pc.split_pattern(email, "@", max_splits=1)
        local = pc.list_element(local_domain, 0)
        first_name = pc.utf8_lower(people.first_name.take(take))
        lower_last = pc.utf8_lower(people.last_name.take(take))
        new_email = concat(first_name, ".", pc.replace_substring(lower_last, "'", ""),
                           ".", pc.utf8_slice_codeunits(
                               pc.replace_substring_regex(local, "[^0-9]", ""), 0, 12),
                           "@", pick(cat.EMAIL_DOMAINS,
                                     rng.integers(0, len(cat.EMAIL_DOMAINS), size)))
        typed_email = pc.if_else(pa.array(by_phone), new_email, typed_email)
        keep_phone = has_phone & (by_phone | (rng.random(size) < 0.5))
        contact = people.duplicate_contact.take(take)
        shouting = rng.random(size) < 0.3  # typed in caps at a shop till
        first = pc.if_else(pa.array(shouting),
                                   pc.utf8_upper(people.first_name.take(take)),
                                   people.first_name.take(take))
        last = pc.if_else(pa.array(shouting),
                                  pc.utf8_upper(people.last_name.take(take)),
                                  people.last_name.take(take))
        created = uniform_between(rng, people.created[index], people.active_until[index])
    else:
        placeholder = people.placeholder[index]
        typed_email = pc.if_else(pa.array(placeholder),
                                         pa.scalar(PLACEHOLDER_EMAIL), typed_email)
        keep_phone = has_phone
        contact = people.primary_contact.take(take)
        first, last = people.first_name.take(take), people.last_name.take(take)
        created = people.created[index]
    modified = uniform_between(rng, created, people.active_until[index])
    return pa.table({
        "contact_id": contact,
        "first_name": first,
        "last_name": last,
        "email": typed_email,
        "phone": mask(phone_variant(rng, digits, ireland), keep_phone),
        "birth_date": people.birth_date.take(take),
        "street": people.street.take(take),
        "city": people.city.take(take),
        "postcode": people.postcode.take(take),
        "country": people.country.take(take),
        "email_opt_in": pa.array(people.consent_email[index]),
        "sms_opt_in": pa.array(people.consent_sms[index]),
        "created": timestamps(created),
        "modified": timestamps(modified),
        "_person": pa.array(people.person[index]),
    })
