"""Normalisers: table-driven cases, and the SQL and bulk forms agreeing with the pure ones."""

from __future__ import annotations

import random

import duckdb
import phonenumbers
import pytest
from phonenumbers import phonenumberutil
from sqlglot import exp

from accord.identity.normalise import (
    email_sql,
    id_sql,
    normalise_email,
    normalise_id,
    normalise_phone,
    phone_key,
    phone_key_sql,
    phone_prefixes,
)
from accord.identity.phones import normalise_phone_keys, normalise_phones

EMAILS = [
    ("jane@example.com", "jane@example.com"),
    ("  Jane.Doe@Example.COM ", "jane.doe@example.com"),
    ("JANE@EXAMPLE.COM\t", "jane@example.com"),
    ("\u00a0jane@example.com", "jane@example.com"),
    ("n/a", None),
    ("", None),
    ("   ", None),
    (None, None),
]

IDS = [(" C000123 ", "C000123"), ("c000123", "c000123"), ("\tX-1\n", "X-1"), ("  ", None),
       ("", None), (None, None)]

PHONES_GB = [
    ("+44 20 7946 0958", "+442079460958"),
    ("020 7946 0958", "+442079460958"),
    ("(020) 7946-0958", "+442079460958"),
    ("0044 20 7946 0958", "+442079460958"),
    ("+44 (0) 20 7946 0958", "+442079460958"),
    ("020.7946.0958", "+442079460958"),
    ("442079460958", "+442079460958"),
    (" 02079460958 ", "+442079460958"),
    ("07812 345678", "+447812345678"),
    ("+1 (202) 555-0123", "+12025550123"),
    ("001 202 555 0123", "+12025550123"),
    ("+33 1 42 68 53 00", "+33142685300"),
    ("020 7946 0958 ext. 123", "+442079460958"),
    ("07700 900123", None),  # Ofcom's range for drama: not a valid number
    ("0000", None),
    ("n/a", None),
    ("12", None),
    ("+44", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), EMAILS)
def test_email(raw: str | None, expected: str | None) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), IDS)
def test_id(raw: str | None, expected: str | None) -> None:
    assert normalise_id(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), PHONES_GB)
def test_phone(raw: str | None, expected: str | None) -> None:
    assert normalise_phone(raw, "GB") == expected


def test_phone_default_region_decides_national_numbers() -> None:
    assert normalise_phone("(202) 555-0123", "US") == "+12025550123"
    assert normalise_phone("(202) 555-0123", "GB") is None
    assert normalise_phone("01 42 68 53 00", "FR") == "+33142685300"


def _sql_value(expression: exp.Expression) -> str | None:
    row = duckdb.connect().execute(exp.select(expression).sql("duckdb")).fetchone()
    assert row is not None
    value: str | None = row[0]
    return value


@pytest.mark.parametrize(("raw", "expected"), [e for e in EMAILS if e[0] is not None])
def test_email_sql_agrees(raw: str, expected: str | None) -> None:
    assert _sql_value(email_sql(exp.Literal.string(raw))) == expected


@pytest.mark.parametrize(("raw", "expected"), [i for i in IDS if i[0] is not None])
def test_id_sql_agrees(raw: str, expected: str | None) -> None:
    assert _sql_value(id_sql(exp.Literal.string(raw))) == expected


@pytest.mark.parametrize("region", ["GB", "US", "FR", "MX", "JE", "AR"])
@pytest.mark.parametrize("raw", [raw for raw, _ in PHONES_GB if raw is not None]
                         + ["00", "0044", "000 123", "+44 (0)7812 345678", "x" * 260])
def test_phone_key_keeps_the_number(raw: str, region: str) -> None:
    prefixes = phone_prefixes(region)
    key = phone_key(raw, prefixes)
    assert _sql_value(phone_key_sql(exp.Literal.string(raw), prefixes)) == key
    assert normalise_phone(key, region) == normalise_phone(raw, region)


def test_phone_key_collapses_variants() -> None:
    gb = phone_prefixes("GB")
    keys = {phone_key(raw, gb) for raw in ("+44 20 7946 0958", "0044 20 7946 0958",
                                           "+44-20-7946-0958", "(+44) 2079460958")}
    assert keys == {"+442079460958"}
    assert phone_key("020 7946 0958", gb) == phone_key("(020) 7946-0958", gb)


def test_prefixes() -> None:
    assert phone_prefixes("GB").international == "00"
    assert phone_prefixes("US").international == "011"
    # Mexico's IDD is a pattern, Jersey shares +44 with the UK: neither is rewritten.
    assert not phone_prefixes("MX").national and phone_prefixes("MX").international is None
    assert not phone_prefixes("JE").national
    assert phone_prefixes("XX").country_code == ""


def _keys_of_every_country_code() -> list[str]:
    rng = random.Random(11)
    keys: list[str] = []
    for code in sorted(phonenumberutil.COUNTRY_CODE_TO_REGION_CODE):
        for _ in range(25):
            digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 14)))
            keys.append(f"+{code}{digits}")
        for region in phonenumberutil.COUNTRY_CODE_TO_REGION_CODE[code]:
            example = (phonenumbers.example_number_for_non_geo_entity(code) if region == "001"
                       else phonenumbers.example_number(region))
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            keys.append(e164)
            metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
                code, region)
            if metadata is not None and metadata.national_prefix:
                keys.append(f"+{code}{metadata.national_prefix}{e164[len(str(code)) + 1:]}")
    return [*keys, "+0123456789", "+999123456", "+44", "12", "n/a", "+44 20 7946 0958"]


@pytest.mark.parametrize("region", ["GB", "US", "DE", "AR", "IT"])
def test_bulk_agrees_with_the_library(region: str) -> None:
    keys = _keys_of_every_country_code()
    expected = [normalise_phone(key, region) for key in keys]
    assert sum(value is not None for value in expected) > 400  # valid ones are covered
    assert normalise_phones(keys, region) == expected


def test_process_pool_gives_the_same_results() -> None:
    keys = _keys_of_every_country_code()[:3_000] * 20
    serial = normalise_phone_keys(keys, "GB", workers=1)
    seen: list[int] = []
    assert normalise_phone_keys(keys, "GB", workers=2, done=seen.append) == serial
    assert sum(seen) == len(keys) and len(seen) > 1
