from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class NewestFirstCursorPagination(CursorPagination):
    """Keyset pages for the lists that only grow (the ERP queue, the audit trail): page 4,000 costs what page 1 does.

    Follow `next` (and `previous`); there is no `count` and no page number, since counting millions of
    rows on every call is what this avoids. The view's `cursor_ordering` (newest first, ending in the id)
    is the order, served by an index of the same columns; DRF positions the cursor on its first column
    (a timestamp, in practice unique) and steps over equal values by offset.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        if request.query_params.get("page", "1") != "1":  # the first page is this one, however it is asked for
            raise ValidationError(
                {"page": "This list is paged by cursor: follow the `next` and `previous` links of each answer."}
            )
        return super().paginate_queryset(queryset, request, view)

    def get_ordering(self, request, queryset, view):
        return view.cursor_ordering
