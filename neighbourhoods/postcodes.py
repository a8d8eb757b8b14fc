"""UK postcode normalisation: one canonical form ("SG1 1HN") for storage, lookups and comparison."""

import re

# The UK Government Data Standards pattern (as published on Wikipedia's "Postcodes in the United
# Kingdom"): outward code A9, A99, AA9, AA99, A9A or AA9A, where a second letter is never I or Z;
# inward code a digit and two letters; plus the one exception, GIR 0AA (Girobank).
_POSTCODE = re.compile(
    r"GIR0AA"
    r"|(?P<outward>[A-Z][0-9]{1,2}|[A-Z][A-HJ-Y][0-9]{1,2}|[A-Z][0-9][A-Z]|[A-Z][A-HJ-Y][0-9][A-Z])"
    r"[0-9][A-Z]{2}"
)


def normalise_postcode(text: str | None) -> str | None:
    """The canonical form of a postcode ("sg11hn" becomes "SG1 1HN"), or None when invalid."""
    if not text:
        return None
    # Any whitespace anywhere, including inside: people type "SG1  1HN" and "S G 1 1 H N".
    compact = "".join(text.split())
    # Checked before upper-casing: the long s (U+017F) upper-cases to "S"; postcodes are ASCII.
    if not compact.isascii():
        return None
    compact = compact.upper()
    if not _POSTCODE.fullmatch(compact):
        return None
    # The inward code is always the last three characters.
    return f"{compact[:-3]} {compact[-3:]}"


def outward_code(postcode: str | None) -> str | None:
    """The outward code (the part before the space) of a postcode, or None when invalid.

    Compare outward codes whole: "SG1" is the outward code of "SG1 1HN" but not of "SG12 0AB".
    """
    normalised = normalise_postcode(postcode)
    if normalised is None:
        return None
    return normalised.split(" ", 1)[0]
