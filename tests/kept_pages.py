"""Visiting a page that may be kept: what its main content says, and what the visit cost."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext


def visit(client, url, data=None):
    """The page's main content and how many queries the visit took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200
    # Forms that post (the header's sign-out, the report's PDF) carry a token of their own on
    # every response.
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return text[text.index("<main") : text.index("</main>")], len(queries.captured_queries)
