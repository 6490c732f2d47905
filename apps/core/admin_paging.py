"""Admin lists of tables that only grow (the ERP queue, the audit trail): pages that cost the same at any size.

Django's changelist counts the whole table twice on every view and reads a page with OFFSET over
whole rows. Here the count stops a few pages past the one shown ("more than 10,000"), and a page
first reads its ids off the index that serves the list's ordering (an OFFSET over index entries
only), then only those rows. The first pages cost the same at any size; page N costs about N pages
of index entries, not the table. Facet counts ("Show counts") are off: they count the whole table.
"""

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property

#: Counted exactly up to here (or ten pages past the page shown); past it the list says "more than".
COUNT_CAP = 10_000
PAGES_AHEAD = 10


class CappedPaginator(Paginator):
    """A paginator whose count stops at `cap` (`capped` says it did) and whose pages read ids first."""

    def __init__(self, object_list, per_page, *, cap=COUNT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self):
        return self.object_list.values("pk")[: self.cap + 1].count()

    @property
    def capped(self):
        return self.count > self.cap

    @property
    def cap_label(self):
        return f"{self.cap:,}"

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


class LargeTableAdminMixin:
    """For a ModelAdmin of a table that only grows: no full count, no facet counts, pages read off an index.

    The admin sets `sortable_by` to the columns an index orders.
    """

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        try:
            page = max(1, int(request.GET.get("p", 1)))
        except ValueError:
            page = 1
        cap = max(COUNT_CAP, (page + PAGES_AHEAD) * per_page)
        return CappedPaginator(
            queryset, per_page, cap=cap, orphans=orphans, allow_empty_first_page=allow_empty_first_page
        )
