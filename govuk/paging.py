"""Pages of a long list whose count is made apart from its rows."""

from django.core.paginator import Paginator

# Rows on a page of every list the staff and researchers work through (queues, the audit trail,
# the proposal and people lists, the report's tables): enough to see what is oldest at a glance,
# and half the rendering of fifty. The public registers page by their own sizes.
ROWS_PER_PAGE = 25


class CountedPaginator(Paginator):
    """A paginator given its count: counted without the joins and sorting its pages need, or
    together with other figures the page shows, so the list is not counted a second time."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.count = count


class ShortListPaginator(Paginator):
    """A paginator that reads the first page, and one row more, before counting: a list that
    fits on one page (someone's own projects, a data owner's queue, mostly) is counted from
    those rows, with no count of its own. A longer list, or any later page, is counted as
    Django's paginator counts it."""

    def get_page(self, number):
        if str(number or 1) != "1":
            return super().get_page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.count = len(rows)
        return self._get_page(rows[: self.per_page], 1, self)
