"""Whether an ERP vendor and a company here are the same business, and why: pure functions.

The reference suggests a match only for the exact name, ignoring case; people then link near
matches ("&" against "and") by hand, one at a time. Here names are compared past case, accents,
punctuation, spacing, "&"/"and", a leading "The" and legal suffixes (Inc, LLC, Ltd, Co, …), and tax
ids on their digits. Each difference that had to be ignored is named in the reason. Nothing fuzzier
(edit distance, shared words): "Acme Concrete" and "Acme Construction" are different firms.
"""

import re
import unicodedata

LEGAL_SUFFIXES = frozenset(
    {
        "inc",
        "incorporated",
        "llc",
        "ltd",
        "limited",
        "co",
        "company",
        "corp",
        "corporation",
        "lp",
        "llp",
        "lllp",
        "pc",
        "pllc",
        "plc",
    }
)
# Dropped inside words ("L.L.C.", "O'Brien"); every other punctuation mark separates words.
JOINING_MARKS = re.compile(r"[.'’`]")
SEPARATING_MARKS = re.compile(r"[^\w\s]|_")
# A tax id needs this many digits to be compared; placeholders such as 000000000 never match.
MIN_TAX_ID_DIGITS = 6

# What each normalising step forgives, in the order the reason names them.
DIFFERENCES = {
    "case": "case",
    "accents": "accents",
    "and": "'&' for 'and'",
    "punctuation": "punctuation",
    "spacing": "spacing",
    "the": "a leading 'The'",
    "suffix": "legal suffix",
}


def _bare(token, skip):
    # Case never hides a suffix; punctuation does only when punctuation is what is being tested.
    return token.casefold() if skip == "punctuation" else JOINING_MARKS.sub("", token).casefold()


def _normal_form(name, skip=None):
    """The name with every difference of DIFFERENCES forgiven, except the one named by `skip`."""
    text = name or ""
    if skip != "accents":
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    if skip != "case":
        text = text.casefold()
    if skip != "and":
        text = text.replace("&", " and ")
    if skip != "punctuation":
        text = SEPARATING_MARKS.sub(" ", JOINING_MARKS.sub("", text))
    tokens = text.split()
    if skip != "suffix":
        while len(tokens) > 1 and _bare(tokens[-1], skip) in LEGAL_SUFFIXES:
            tokens.pop()
    if skip != "the" and len(tokens) > 1 and _bare(tokens[0], skip) == "the":
        tokens.pop(0)
    return " ".join(tokens) if skip == "spacing" else "".join(tokens)


def name_key(name):
    """The form under which two names count as the same; empty for a name with nothing in it."""
    return _normal_form(name)


def name_reason(erp_name, name):
    """Why the two names count as the same ("same name", "same name apart from …"), or None."""
    key = name_key(name)
    if not key or name_key(erp_name) != key:
        return None
    if (erp_name or "").strip() == (name or "").strip():
        return "same name"
    forgiven = [
        label for step, label in DIFFERENCES.items() if _normal_form(erp_name, step) != _normal_form(name, step)
    ]
    # Only runs of spaces differ when no single step is needed.
    return f"same name apart from {_and_list(forgiven or [DIFFERENCES['spacing']])}"


def tax_id_key(tax_id):
    """The tax id's digits, or empty when there are too few to tell businesses apart."""
    digits = re.sub(r"\D", "", tax_id or "")
    if len(digits) < MIN_TAX_ID_DIGITS or len(set(digits)) == 1:
        return ""
    return digits


def match_reasons(*, erp_name, erp_tax_id, name, tax_id):
    """Every reason to think the ERP vendor and the company are one business; empty when there is none."""
    reasons = []
    by_name = name_reason(erp_name, name)
    if by_name:
        reasons.append(by_name)
    erp_tax_key = tax_id_key(erp_tax_id)
    if erp_tax_key and erp_tax_key == tax_id_key(tax_id):
        reasons.append("same tax id")
    return reasons


def _and_list(items):
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
