"""Supplier names: one normalised form per supplier, and the names that stand for redactions.

Pure functions, no database: the importer calls them for every row, so they are cached.

    >>> supplier_name_normalise("ACME LTD") == supplier_name_normalise("Acme Limited.")
    True
"""

import functools
import re
import unicodedata
from collections.abc import Iterable

from metrics.spend.values import PLACEHOLDERS

# Every redacted line of a file belongs to this one supplier. The brackets keep it apart from
# every real name: normalised names hold only letters, digits and single spaces.
REDACTED_KEY = "[redacted]"
REDACTED_NAME = "Redacted"

# Legal forms written out or abbreviated, at the end of a name, and the one form each becomes.
# Longest first, so that "public limited company" is not read as "... company".
_LEGAL_FORMS = (
    ("public limited company", "plc"),
    ("limited liability partnership", "llp"),
    ("community interest company", "cic"),
    ("charitable incorporated organisation", "cio"),
    ("cyfyngedig", "ltd"),
    ("cyf", "ltd"),
    ("limited", "ltd"),
    ("ltd", "ltd"),
    ("plc", "plc"),
    ("llp", "llp"),
    ("cic", "cic"),
    ("cio", "cio"),
    ("lp", "lp"),
)
_LEGAL_FORM_TAIL = re.compile(
    r"(?:^|\s)(" + "|".join(re.escape(written) for written, _ in _LEGAL_FORMS) + r")$"
)
_CANONICAL_FORM = dict(_LEGAL_FORMS)

# Characters dropped without a space, so "P.L.C." is "plc" and "O'Brien" is "obrien" (curly
# quotes are not ASCII, so they are dropped before this).
_JOINERS = re.compile(r"[.'`]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")

# Names that say the payee is withheld, as councils write them. Matched against the whole name
# after normalisation, so "Confidential Shredding Ltd" and "Personal Data Services Ltd" are not
# taken for redactions.
_REDACTED = re.compile(
    r"(?:"
    r".*\bredact(?:ed|ion)\b.*"  # "Redacted Personal Data", "REDACTED - COMMERCIAL ..."
    r"|(?:personal|sensitive) (?:data|information|details)(?: withheld| removed)?"
    r"|commercial(?:ly)? (?:in )?confiden(?:ce|tial|tiality)"
    r"|commercially sensitive(?: information)?"
    r"|(?:name |supplier |payee )?(?:withheld|not disclosed|undisclosed)(?: .*)?"
    r"|private individual|individual|private person"
    r"|data protection(?: act)?(?: \d{4})?(?: .*)?"
    r"|(?:gdpr|dpa)(?: .*)?"
    r")"
)


# Catch-all payees that name no supplier: a line paid to one is treated like a redaction (the
# one redacted supplier, no supplier ID or postcode kept). Matched against the whole normalised
# name, so "Third Party Supplier Ltd" or "Various Suppliers Ltd" stay named suppliers. Councils
# add their own spellings as data: `withheld_payees` in the `[spend]` table of their reference
# file (metrics.spend.reference).
DEFAULT_WITHHELD_PAYEES = (
    "Third Party Supplier",
    "Third Party Suppliers",
    "Third Party Payment",
    "Third Party Payments",
    "Third Party Payee",
    "Various Suppliers",
    "Various Payees",
    "Various Creditors",
    "Sundry Creditor",
    "Sundry Creditors",
    "Sundry Supplier",
    "Sundry Suppliers",
)


def _words(text: str) -> str:
    """Lower case ASCII letters and digits separated by single spaces; accents dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").casefold()
    ascii_text = _JOINERS.sub("", ascii_text.replace("&", " and ").replace("+", " and "))
    return " ".join(_NOT_WORD.sub(" ", ascii_text).split())


@functools.lru_cache(maxsize=65536)
def supplier_name_normalise(name: str) -> str:
    """The key that matches one supplier's names across files.

    Case, spaces, accents and punctuation are ignored; "&" is "and", so "& Co" is "and Co"; a
    leading "The" (or a trailing ", The") is dropped; legal forms at the end are made one:
    Limited/Ltd/Ltd., PLC/P.L.C./public limited company, LLP, CIC, CIO. A name and the same name
    without its legal form stay different suppliers: a sole trader is not a company. Returns ""
    for a name without letters or digits.
    """
    words = _words(name)
    if words.startswith("the "):
        words = words[4:]
    if words.endswith(" the"):
        words = words[:-4]
    forms = []
    while match := _LEGAL_FORM_TAIL.search(words):
        if match.start(1) == 0:  # a name that is only a legal form keeps it
            break
        forms.append(_CANONICAL_FORM[match.group(1)])
        words = words[: match.start()].rstrip()
    # "Acme Ltd Ltd" is a typing slip: each legal form counts once, in the order written.
    kept = list(dict.fromkeys(reversed(forms)))
    return " ".join([words, *kept]) if words else " ".join(kept)


@functools.lru_cache(maxsize=65536)
def supplier_name_is_redacted(name: str) -> bool:
    """Whether a supplier name stands for a withheld payee ("Redacted Personal Data",
    "REDACTED - COMMERCIAL CONFIDENTIALITY", "Name withheld", "Private individual"...)."""
    words = _words(name)
    return bool(words) and _REDACTED.fullmatch(words) is not None


def withheld_payee_keys(extra: Iterable[str] = ()) -> frozenset[str]:
    """The normalised names of the catch-all payees (`DEFAULT_WITHHELD_PAYEES` and `extra`,
    the council's own), for a set lookup on each line's supplier key."""
    keys = (supplier_name_normalise(name) for name in (*DEFAULT_WITHHELD_PAYEES, *extra))
    return frozenset(key for key in keys if key)


# A supplier "name" that is only a placeholder ("N/A", "Various", "TBC") names nobody: the
# supplier name is required, so such a line is an error (or, when trivial, may be left out).
PLACEHOLDER_NAME_KEYS = frozenset(
    key for key in (supplier_name_normalise(text) for text in PLACEHOLDERS) if key
)
