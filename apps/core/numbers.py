"""Numbers as the people who type them read them, and the one rule for an amount typed beside its factors."""


def quantity_text(value):
    """A quantity as people write it: 1,250.5 (thousands separated, no trailing zeros)."""
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def typed_amount_problem(*, typed, computed, quantity, unit_cost):
    """None, or why an amount typed beside a quantity and unit cost cannot stand: it is not their product.

    A typed value is never replaced by another without a word: the person corrects one of the three.
    """
    if typed is None or typed == computed:
        return None
    return (
        f"{typed:,.2f} is not quantity × unit cost ({quantity_text(quantity)} × {unit_cost:,.2f} = "
        f"{computed:,.2f}): leave the amount empty, or correct the quantity or the unit cost."
    )
