"""Lists answer a page at a time: numbered pages, and a cursor for the ledger."""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class LedgerCursor(CursorPagination):
    """Stable under inserts: new entries never shift the pages a client is reading."""

    ordering = "-entry_no"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
