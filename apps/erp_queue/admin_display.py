"""What the queue's pages show of a payload or the approver's inputs, in the words and numbers accounting uses.

The raw JSON stays one click away (under "Exactly as exported"), for the rare reader who needs it.
"""

import json
import re
from decimal import Decimal, InvalidOperation

from django.utils.html import format_html, format_html_join

#: Keys whose names are not the reader's words.
LABELS = {
    "job_id": "ERP job",
    "erp_job_id": "ERP job id",
    "vendor_id": "ERP vendor",
    "erp_vendor_id": "ERP vendor id",
    "commitment_number": "Commitment",
    "commitment_type": "Commitment type",
    "line_number": "Line",
    "retainage_percent": "Retainage %",
    "uom": "UOM",
    "tax_id": "Tax id",
    "zip": "ZIP",
}
#: The ERP's write keys: technical, shown only in the raw JSON (as is the record's own id, `hidden`).
TECHNICAL = {"key"}
AMOUNTS = {"amount", "unit_cost", "original_amount"}
#: Keys whose values are codes of a fixed list: shown as words ("purchase_order" → "Purchase order").
WORDS = {"type", "kind", "accounting_method", "commitment_type"}
_WORDS = re.compile(r"[a-z]+(_[a-z]+)+")


def _label(key):
    return LABELS.get(key) or key.replace("_", " ").capitalize()


def _named(value, names):
    return f"{value} {names[value]}" if value in names else str(value)


def _cell(key, value, names):
    """`names`: {key: {value: name}} for coded values (cost types: 4 → "4 Subcontract")."""
    if value in (None, "", []):
        return "—"
    if key in names:
        values = value if isinstance(value, list) else [value]
        return ", ".join(_named(v, names[key]) for v in values)
    if key in AMOUNTS:
        try:
            return f"{Decimal(str(value)):,.2f}"
        except InvalidOperation:
            return str(value)
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, str) and (key in WORDS or _WORDS.fullmatch(value)):
        return value.replace("_", " ").capitalize()  # original_estimate → Original estimate
    return str(value)


def _is_table(value):
    return isinstance(value, list) and bool(value) and all(isinstance(row, dict) for row in value)


def readable_json(data, raw_label, *, hidden=(), names=None):
    """A payload as an approver reads it: its fields, then each list of rows as a table; the raw JSON below.

    `hidden`: keys left to the raw JSON (the record's own id); `names`: {key: {code: name}} for coded values.
    """
    names = names or {}
    hidden = TECHNICAL | set(hidden)
    shown = {key: value for key, value in data.items() if key not in hidden}
    scalars = [(key, value) for key, value in shown.items() if not _is_table(value)]
    tables = [(key, value) for key, value in shown.items() if _is_table(value)]
    parts = [
        format_html(
            '<table class="erp-details"><tbody>{}</tbody></table>',
            format_html_join(
                "", "<tr><th>{}</th><td>{}</td></tr>", ((_label(k), _cell(k, v, names)) for k, v in scalars)
            ),
        )
    ]
    for key, rows in tables:
        columns = [c for c in dict.fromkeys(column for row in rows for column in row) if c not in hidden]
        parts.append(
            format_html(
                '<table class="erp-details"><caption>{} ({})</caption><thead><tr>{}</tr></thead><tbody>{}</tbody>'
                "</table>",
                _label(key),
                len(rows),
                format_html_join("", "<th>{}</th>", ((_label(c),) for c in columns)),
                format_html_join(
                    "",
                    "<tr>{}</tr>",
                    (
                        (format_html_join("", "<td>{}</td>", ((_cell(c, row.get(c), names),) for c in columns)),)
                        for row in rows
                    ),
                ),
            )
        )
    parts.append(
        format_html(
            '<details><summary>{}</summary><pre class="erp-payload">{}</pre></details>',
            raw_label,
            json.dumps(data, indent=2),
        )
    )
    return format_html_join("", "{}", ((part,) for part in parts))


def inputs_text(inputs, names=None):
    """The approver's inputs as a line a person reads: 'ERP vendor id: 1200; Vendor type: 4 Supplier'."""
    names = names or {}
    return "; ".join(f"{_label(key)}: {_cell(key, value, names)}" for key, value in inputs.items()) or "—"
