"""Bulk phone normalisation: :func:`~accord.identity.normalise.normalise_phone` for many keys.

``phonenumbers.parse`` plus ``is_valid_number`` cost ~30 microseconds a number in pure Python,
most of it generic work a bulk caller does not need: finding the number inside free text,
extensions, international prefixes, and a fresh regex-cache lookup for each of a dozen
number-type patterns. After :func:`~accord.identity.normalise.phone_key` most keys are
``+`` and digits; for those :func:`normalise_phones` takes the library's own steps directly
(``_extract_country_code``, ``_maybe_strip_national_prefix_carrier_code``,
``_test_number_length``, the same metadata) and checks validity with the metadata's patterns
compiled once per region, remembering each national number's verdict. Every other key goes
through ``normalise_phone`` itself. The tests compare both paths on numbers of every
country calling code.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor

from phonenumbers import PhoneMetadata, phonenumberutil

from accord.identity.normalise import normalise_phone

#: Keys this module reads itself: at least three digits (fewer is parse's "too short after
#: IDD" path) and no longer than parse accepts at all.
_PLUS_DIGITS = re.compile(r"\+[1-9][0-9]{2,249}")

#: What ``_number_type_helper`` tries after the general description, in its order; mobile
#: only when its pattern differs from fixed line's.
_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager",
          "uan", "voicemail", "fixed_line")

#: The region code of non-geographic numbers (+800 freephone and the like).
_NON_GEO = "001"

_Matcher = tuple[frozenset[int] | None, re.Pattern[str]]
_Validator = Callable[[str], bool]
_validators: dict[int, tuple[PhoneMetadata, _Validator]] = {}


def _matcher(desc: object) -> _Matcher | None:
    """A description's (possible lengths, pattern), or None when it can match nothing."""
    pattern = getattr(desc, "national_number_pattern", None) if desc is not None else None
    if not pattern:
        return None
    lengths = getattr(desc, "possible_length", ())
    return (frozenset(lengths) if lengths else None), re.compile(pattern)


def _matches(matcher: _Matcher | None, number: str) -> bool:
    if matcher is None:
        return False
    lengths, pattern = matcher
    if lengths is not None and len(number) not in lengths:
        return False
    return pattern.fullmatch(number) is not None


def _validator(metadata: PhoneMetadata) -> _Validator:
    """``_number_type_helper(number, metadata) != UNKNOWN`` with patterns compiled once.

    Only whether *some* type matches matters here, so the type patterns that share a set of
    possible lengths are tried as one alternation.
    """
    cached = _validators.get(id(metadata))
    if cached is not None and cached[0] is metadata:
        return cached[1]
    general = _matcher(metadata.general_desc)
    names = list(_TYPES)
    if not metadata.same_mobile_and_fixed_line_pattern:
        names.append("mobile")
    by_lengths: dict[frozenset[int] | None, list[str]] = {}
    for name in names:
        matcher = _matcher(getattr(metadata, name))
        if matcher is not None:
            by_lengths.setdefault(matcher[0], []).append(matcher[1].pattern)
    kinds = [(lengths, re.compile("|".join(f"(?:{p})" for p in patterns)))
             for lengths, patterns in by_lengths.items()]

    def valid(number: str) -> bool:
        return _matches(general, number) and any(_matches(m, number) for m in kinds)

    _validators[id(metadata)] = (metadata, valid)
    return valid


def _is_valid(country_code: int, number: str) -> bool:
    """``phonenumbers.is_valid_number`` of the number ``+<country_code><number>``."""
    regions = phonenumberutil.COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if regions is None:
        return False
    region: str | None = regions[0] if len(regions) == 1 else None
    if region is None:  # region_code_for_number over a shared calling code
        for candidate in regions:
            metadata = PhoneMetadata.metadata_for_region(candidate.upper(), None)
            if metadata is None:
                continue
            if metadata.leading_digits is not None:
                if re.match(metadata.leading_digits, number):
                    region = candidate
                    break
            elif _validator(metadata)(number):
                region = candidate
                break
    if region is None:
        return False
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region.upper())
    if metadata is None or (region != _NON_GEO and
                            country_code != phonenumberutil.country_code_for_valid_region(
                                region)):
        return False
    return _validator(metadata)(number)


_REFUSED = (phonenumberutil.ValidationResult.TOO_SHORT,
            phonenumberutil.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
            phonenumberutil.ValidationResult.INVALID_LENGTH)


def _plus_digits(key: str, verdicts: dict[tuple[int, str], bool]) -> str | bool | None:
    """E.164 (or None) of a ``+digits`` key as ``phonenumbers.parse`` would read it; False
    when the key needs the library's general path."""
    country_code, rest = phonenumberutil._extract_country_code(key[1:])
    if country_code == 0:  # parse retries without the plus: leave that to the library
        return False
    if len(rest) < phonenumberutil._MIN_LENGTH_FOR_NSN:
        return None
    region = phonenumberutil.region_code_for_country_code(country_code)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if metadata is None:
        return False
    _, stripped, _ = phonenumberutil._maybe_strip_national_prefix_carrier_code(rest, metadata)
    number = rest
    if phonenumberutil._test_number_length(stripped, metadata) not in _REFUSED:
        number = stripped
    if not phonenumberutil._MIN_LENGTH_FOR_NSN <= len(number) <= \
            phonenumberutil._MAX_LENGTH_FOR_NSN:
        return None
    # parse keeps leading zeros as "Italian" zeros, so the national significant number is
    # the digit string itself.
    verdict = verdicts.get((country_code, number))
    if verdict is None:
        verdict = verdicts[(country_code, number)] = _is_valid(country_code, number)
    return f"+{country_code}{number}" if verdict else None


def normalise_phones(keys: Iterable[str], default_region: str) -> list[str | None]:
    """:func:`~accord.identity.normalise.normalise_phone` of each key, in bulk.

    >>> normalise_phones(["+442079460958", "+4402079460958", "n/a"], "GB")
    ['+442079460958', '+442079460958', None]
    """
    verdicts: dict[tuple[int, str], bool] = {}
    results: list[str | None] = []
    for key in keys:
        if _PLUS_DIGITS.fullmatch(key):
            value = _plus_digits(key, verdicts)
            if value is not False:
                results.append(value if isinstance(value, str) else None)
                continue
        results.append(normalise_phone(key, default_region))
    return results


def chunks(keys: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    """``keys`` in slices of ``size`` (progress is reported per slice)."""
    for start in range(0, len(keys), size):
        yield keys[start:start + size]


#: Below this many keys a process pool costs more (start-up, pickling) than it saves.
PARALLEL_MIN = 100_000
CHUNK = 25_000


def normalise_phone_keys(keys: Sequence[str], default_region: str, *,
                         workers: int | None = None,
                         done: Callable[[int], None] | None = None) -> list[str | None]:
    """:func:`normalise_phones` over many keys, on several processes when it pays.

    The work is pure Python (the GIL rules out threads); a million records can hold half a
    million distinct keys, seconds on one core. Results keep the order of ``keys``.

    Args:
        keys: the phone keys.
        default_region: the region for numbers without a country code.
        workers: processes to use; by default one per core once there are at least
            :data:`PARALLEL_MIN` keys, else none (this process does the work).
        done: called with the size of each finished slice (progress).
    """
    if workers is None:
        workers = (os.cpu_count() or 1) if len(keys) >= PARALLEL_MIN else 1
    results: list[str | None] = []
    if workers <= 1:
        for chunk in chunks(keys, CHUNK):
            results.extend(normalise_phones(chunk, default_region))
            if done is not None:
                done(len(chunk))
        return results
    # forkserver, not fork: the caller holds DuckDB's threads, which a forked child would
    # inherit in whatever state their locks were.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        parts = list(chunks(keys, CHUNK))
        for chunk, values in zip(parts, pool.map(normalise_phones, parts,
                                                 itertools.repeat(default_region)),
                                 strict=True):
            results.extend(values)
            if done is not None:
                done(len(chunk))
    return results
