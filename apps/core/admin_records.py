"""Records as admin lists show them: a link to each one's page, and a page's records fetched once per kind."""

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html


def change_url(model, pk):
    """The record's admin page, or None when its model has none."""
    if model is None:
        return None
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])
    except NoReverseMatch:
        return None


def change_link(model, pk, text):
    """A link to the record's admin page, or its text when the model has none."""
    url = change_url(model, pk)
    return format_html('<a href="{}">{}</a>', url, text) if url else text


def records_in_bulk(ids_by_model):
    """{(model, pk): record} for {model: pks}: one query per model, whatever the rows that name them.

    The records come with their related rows (a budget's str() names its project), so naming them costs nothing more.
    """
    found = {}
    for model, pks in ids_by_model.items():
        for pk, record in model._default_manager.select_related().in_bulk(pks).items():
            found[(model, pk)] = record
    return found
