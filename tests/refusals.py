"""What a refused person reads: the sentence the 403 page gives, whole, so a test notices any
change to it."""

import html
import re

REASON = re.compile(
    r'<h1 class="govuk-heading-l">You cannot view this page</h1>\s*<p class="govuk-body">(.*?)</p>',
    re.S,
)


def refusal_shown(response):
    """The reason the 403 page gives the person, as they read it."""
    assert response.status_code == 403, response.status_code
    found = REASON.search(response.content.decode())
    assert found, "the page gives no reason"
    return html.unescape(found.group(1).strip())
