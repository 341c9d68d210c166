"""The previous and next links of a list paged by its sort order, as a person follows them."""

import html
import re

LINK = re.compile(r'<a\s[^>]*href="([^"]*)"[^>]*\brel="(prev|next)"')


def page_link(response, rel):
    """The address the page's "Previous" (``rel="prev"``) or "Next" (``rel="next"``) link goes
    to, with the path of the page, or None when it has no such link."""
    for href, found in LINK.findall(response.content.decode()):
        if found == rel:
            return response.wsgi_request.path + html.unescape(href)
    return None


def follow_pages(client, url, data=None, *, key, entries="entries"):
    """``key`` of every entry (in the context as ``entries``) on the pages from ``url`` (with
    ``data``) onwards, following Next to the end and then Previous back to the start: the
    pages going forward, and the pages coming back in the order they are in the list.
    ``entries`` may name a key within a context value: ``"listing.events"``."""

    def keys(response):
        assert response.status_code == 200
        found = response.context
        for name in entries.split("."):
            found = found[name]
        return [key(entry) for entry in found]

    response = client.get(url, data)
    forward = [keys(response)]
    while link := page_link(response, "next"):
        response = client.get(link)
        forward.append(keys(response))
    backward = [keys(response)]
    while link := page_link(response, "prev"):
        response = client.get(link)
        backward.append(keys(response))
    return forward, backward[::-1]
