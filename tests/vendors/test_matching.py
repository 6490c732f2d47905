"""Suggested matches go past the reference's exact-name rule, without suggesting different firms."""

import pytest

from apps.vendors import matching

NAME_PAIRS = [
    # (ERP vendor name, company name here, the reason, or None when they are not the same business)
    ("Acme Concrete", "Acme Concrete", "same name"),
    ("ACME CONCRETE", "Acme Concrete", "same name apart from case"),
    ("Acme Concrete, Inc.", "Acme Concrete", "same name apart from punctuation and legal suffix"),
    ("Smith & Sons", "Smith and Sons", "same name apart from '&' for 'and'"),
    ("Smith&Wesson", "Smith and Wesson", "same name apart from '&' for 'and'"),
    (
        "SMITH & SONS CO.",
        "Smith and Sons",
        "same name apart from case, '&' for 'and', punctuation and legal suffix",
    ),
    ("Bay Area Electric L.L.C.", "Bay Area Electric LLC", "same name apart from punctuation"),
    ("Bay Area Electric, LLC", "Bay Area Electric", "same name apart from punctuation and legal suffix"),
    ("Granite Works Ltd", "Granite Works Limited", "same name apart from legal suffix"),
    ("Ace Hardware Co", "Ace Hardware Company", "same name apart from legal suffix"),
    ("Pacific Steel Corporation", "Pacific Steel Corp.", "same name apart from punctuation and legal suffix"),
    ("Delta Builders LLP", "Delta Builders", "same name apart from legal suffix"),
    ("The Home Depot", "Home Depot Inc", "same name apart from a leading 'The' and legal suffix"),
    ("Café Roma Catering", "Cafe Roma Catering", "same name apart from accents"),
    ("O'Brien Drywall", "OBrien Drywall", "same name apart from punctuation"),
    ("A.B.C. Plumbing", "ABC Plumbing", "same name apart from punctuation"),
    ("Sierra  Drywall ", "Sierra Drywall", "same name apart from spacing"),
    ("North Star Roofing", "Northstar Roofing", "same name apart from case and spacing"),
    ("Jones Co-op Supply", "Jones Coop Supply", "same name apart from punctuation and spacing"),
    # Different firms, however alike their names look.
    ("Acme Concrete", "Acme Construction", None),
    ("Acme Concrete Pumping", "Acme Concrete", None),
    ("ABC Electric Inc", "ABC Inc", None),
    ("Smith Sons", "Smith & Sons", None),
    ("Smith and Wesson", "Smith Wesson", None),
    ("Delta Builders Inc", "Delta Builders of Nevada Inc", None),
    ("Bay Area Electric", "Bay Area Electrical", None),
    # A suffix is only dropped at the end, and never leaves a name empty.
    ("Company Store", "Store", None),
    ("Co", "Company", None),
    ("", "", None),
]


@pytest.mark.parametrize(("erp_name", "name", "reason"), NAME_PAIRS)
def test_name_pairs(erp_name, name, reason):
    assert matching.name_reason(erp_name, name) == reason
    # The verdict does not depend on which side the name is on.
    assert (matching.name_reason(name, erp_name) is None) == (reason is None)
    assert (matching.name_key(erp_name) == matching.name_key(name) and bool(name.strip())) == (reason is not None)


@pytest.mark.parametrize(
    ("erp_tax_id", "tax_id", "same"),
    [
        ("94-1234567", "941234567", True),
        ("94 123 4567", "94-1234567", True),
        ("94-1234567", "94-1234568", False),
        ("000-00-0000", "000000000", False),  # a placeholder, not a tax id
        ("12345", "12345", False),  # too few digits to tell businesses apart
        ("", "", False),
    ],
)
def test_tax_ids_compare_on_their_digits(erp_tax_id, tax_id, same):
    reasons = matching.match_reasons(erp_name="Golden Gate Plumbing", erp_tax_id=erp_tax_id, name="GG", tax_id=tax_id)
    assert reasons == (["same tax id"] if same else [])


def test_every_reason_is_given():
    reasons = matching.match_reasons(
        erp_name="GOLDEN GATE PLUMBING INC", erp_tax_id="94-1234567", name="Golden Gate Plumbing", tax_id="941234567"
    )
    assert reasons == ["same name apart from case and legal suffix", "same tax id"]
