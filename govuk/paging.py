"""Pages of a long list whose count is made apart from its rows."""

from django.core.paginator import Paginator


class CountedPaginator(Paginator):
    """A paginator given its count: counted without the joins and sorting its pages need, or
    together with other figures the page shows, so the list is not counted a second time."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.count = count
