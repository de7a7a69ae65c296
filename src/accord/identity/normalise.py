"""Identifier normalisers: one value per person however the sources wrote it.

Each normaliser has a pure Python form (one value at a time: tests, explanations, the online
lookup by identifier) and, where it can be expressed in SQL, a sqlglot form for bulk use. The
two agree on every input (the tests run both on the same table of cases).

* e-mail: trimmed and lower-cased; not an address (``None``) without an ``@``.
* ids (``customer_ref``): trimmed; case is kept because ids are often case-sensitive.
* phone: E.164 (``+442079460958``) through the ``phonenumbers`` library with a default region
  for numbers written without a country code; ``None`` when not a valid number.

Phones cannot be normalised in SQL, and ``phonenumbers`` costs ~25 microseconds a number, so
bulk normalisation runs it once per distinct *phone key*: :func:`phone_key_sql` strips the
formatting characters and rewrites the default region's prefixes (``0044 20..`` and
``020..`` both become ``+44020..``) in SQL, which collapses the usual variants of a number
onto one key. The rewrites only take paths that ``phonenumbers`` itself would take, so
``normalise_phone(phone_key(raw)) == normalise_phone(raw)``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers
from sqlglot import exp

#: Characters trimmed around e-mails and ids: ASCII whitespace and the no-break space that
#: copy and paste from web pages leaves behind.
TRIM_CHARS = " \t\n\r\f\v\u00a0"

#: Formatting characters that never change which number is written (``phonenumbers``
#: ignores them too); removing them in SQL collapses variants before the library runs.
_PHONE_PUNCTUATION = "[ \t\n\r\f\v\u00a0.()\\-]"
_PHONE_PUNCTUATION_RE = re.compile(_PHONE_PUNCTUATION)
_DIGITS_RE = re.compile(r"[0-9]+")
#: phonenumbers refuses longer text outright; stripping it first could make it a number.
_MAX_PHONE_TEXT = 250


def normalise_email(raw: str | None) -> str | None:
    """An e-mail address trimmed and lower-cased; ``None`` when empty or without ``@``.

    >>> normalise_email("  Jane.Doe@Example.COM ")
    'jane.doe@example.com'
    >>> normalise_email("n/a") is None
    True
    """
    if raw is None:
        return None
    value = raw.strip(TRIM_CHARS).lower()
    return value if "@" in value else None


def normalise_id(raw: str | None) -> str | None:
    """An id trimmed of surrounding whitespace; ``None`` when nothing is left.

    >>> normalise_id(" C000123 ")
    'C000123'
    """
    if raw is None:
        return None
    value = raw.strip(TRIM_CHARS)
    return value or None


def normalise_phone(raw: str | None, default_region: str) -> str | None:
    """A phone number in E.164, or ``None`` when it is not a valid number.

    Numbers without a country code are read as numbers of ``default_region`` (ISO 3166
    alpha-2).

    >>> normalise_phone("(020) 7946-0958", "GB")
    '+442079460958'
    >>> normalise_phone("0044 20 7946 0958", "GB")
    '+442079460958'
    >>> normalise_phone("12", "GB") is None
    True
    """
    if raw is None:
        return None
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    # E.164 is "+", the country code and the national significant number; building it here
    # skips format_number's generic formatting machinery (a tenth of the cost per number).
    return f"+{number.country_code}{phonenumbers.national_significant_number(number)}"


@dataclass(frozen=True, slots=True)
class PhonePrefixes:
    """The default region's prefixes that :func:`phone_key` may rewrite.

    Attributes:
        country_code: the region's calling code (``"44"``).
        international: its international (IDD) prefix when it is a plain digit string
            (``"00"``), else ``None`` (a pattern such as Mexico's ``0[09]``: not rewritten).
        national: whether national numbers may be keyed as ``+<country code><number>``: only
            when the region is its calling code's main region, so ``phonenumbers`` reads both
            with the same metadata.
    """

    country_code: str
    international: str | None
    national: bool


@functools.lru_cache(maxsize=64)
def phone_prefixes(default_region: str) -> PhonePrefixes:
    """The rewritable prefixes of ``default_region`` (from ``phonenumbers``' metadata).

    >>> phone_prefixes("GB")
    PhonePrefixes(country_code='44', international='00', national=True)
    """
    region = default_region.upper()
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
    if metadata is None:
        return PhonePrefixes(country_code="", international=None, national=False)
    idd = metadata.international_prefix
    code = int(metadata.country_code or 0)
    plain = idd is None or _DIGITS_RE.fullmatch(idd) is not None
    return PhonePrefixes(
        country_code=str(code),
        international=idd if plain else None,
        # With an IDD pattern ("0[09]") a digit string might be an international number,
        # which "+<code>" in front would hide: no national rewrite then.
        national=plain and phonenumbers.region_code_for_country_code(code) == region,
    )


def phone_key(raw: str, prefixes: PhonePrefixes) -> str:
    """The key bulk normalisation groups phone numbers by (Python twin of the SQL).

    Formatting characters go; a digits-only number then loses the international prefix
    (``0044..`` to ``+44..``) or gains the country code (``020..`` to ``+44020..``). The
    rewrites copy what ``phonenumbers.parse`` does: after an IDD it reads a country code just
    as after ``+``, and a number without one gets the region's code with the national prefix
    still to strip, so the key and the raw text normalise to the same number.

    >>> gb = phone_prefixes("GB")
    >>> phone_key("0044 (20) 7946-0958", gb), phone_key("020 7946 0958", gb)
    ('+442079460958', '+4402079460958')
    """
    if len(raw) > _MAX_PHONE_TEXT:
        return raw
    key = _PHONE_PUNCTUATION_RE.sub("", raw)
    if not _DIGITS_RE.fullmatch(key):
        return key
    idd = prefixes.international
    if idd is not None and key.startswith(idd):
        # phonenumbers only takes the IDD when a country code (never 0) follows it.
        if len(key) > len(idd) and key[len(idd)] != "0":
            return "+" + key[len(idd):]
        return key
    if prefixes.national and not key.startswith(prefixes.country_code):
        # A number starting with the country code itself ("4420..") is read by a heuristic
        # that "+44" would skip, so it is left for the library as it is.
        return f"+{prefixes.country_code}{key}"
    return key


def _lit(text: str) -> exp.Literal:
    return exp.Literal.string(text)


def _trimmed(column: exp.Expression) -> exp.Expression:
    return exp.Trim(this=column, expression=_lit(TRIM_CHARS))


def email_sql(column: exp.Expression) -> exp.Expression:
    """SQL for :func:`normalise_email` over ``column``."""
    value = exp.Lower(this=_trimmed(column))
    return exp.Case(ifs=[exp.If(this=exp.StrPosition(this=value.copy(), substr=_lit("@")).
                                 neq(exp.Literal.number(0)),
                                 true=value)])


def id_sql(column: exp.Expression) -> exp.Expression:
    """SQL for :func:`normalise_id` over ``column``."""
    return exp.Nullif(this=_trimmed(column), expression=_lit(""))


def phone_strip_sql(column: exp.Expression) -> exp.Expression:
    """SQL for the first step of :func:`phone_key`: formatting characters removed."""
    stripped = exp.RegexpReplace(this=column, expression=_lit(_PHONE_PUNCTUATION),
                                 replacement=_lit(""), modifiers=_lit("g"))
    too_long = exp.Length(this=column.copy()) > exp.Literal.number(_MAX_PHONE_TEXT)
    return exp.Case(ifs=[exp.If(this=too_long, true=column.copy())], default=stripped)


def phone_rewrite_sql(stripped: exp.Expression, prefixes: PhonePrefixes) -> exp.Expression:
    """SQL for the second step of :func:`phone_key` over an already stripped column."""
    digits = exp.RegexpLike(this=stripped.copy(), expression=_lit("^[0-9]+$"))
    ifs: list[exp.If] = []
    idd = prefixes.international
    if idd is not None:
        takes_idd = exp.RegexpLike(this=stripped.copy(), expression=_lit(f"^{idd}[1-9]"))
        rest = exp.Substring(this=stripped.copy(), start=exp.Literal.number(len(idd) + 1))
        ifs.append(exp.If(this=exp.and_(digits.copy(), takes_idd),
                          true=exp.DPipe(this=_lit("+"), expression=rest)))
        ifs.append(exp.If(this=exp.RegexpLike(this=stripped.copy(),
                                              expression=_lit(f"^{idd}")),
                          true=stripped.copy()))
    if prefixes.national:
        own_code = exp.RegexpLike(this=stripped.copy(),
                                  expression=_lit(f"^{prefixes.country_code}"))
        ifs.append(exp.If(this=exp.and_(digits.copy(), exp.not_(own_code)),
                          true=exp.DPipe(this=_lit(f"+{prefixes.country_code}"),
                                         expression=stripped.copy())))
    if not ifs:
        return stripped.copy()
    return exp.Case(ifs=ifs, default=stripped.copy())


def phone_key_sql(column: exp.Expression, prefixes: PhonePrefixes) -> exp.Expression:
    """SQL for :func:`phone_key` over ``column`` (bulk code strips once in a subquery and
    rewrites over that, since the engine would strip once per reference here)."""
    return phone_rewrite_sql(phone_strip_sql(column), prefixes)
