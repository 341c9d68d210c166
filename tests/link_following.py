"""Following the links a signed-in person's pages show, from their dashboard, as they would.

Shared by the link-following test, which checks every page of a demo person's work is reached,
and the browser test that opens those pages on a narrow screen.
"""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

from django.urls import reverse

from researchers.models import User

HREF = re.compile(r'<a\s[^>]*href="([^"#][^"]*)"')
# Not followed: leaving the session, files and exports (the API's schema is one), the admin,
# and one page per audit event (the trail is reached through its list; its events are not work
# to do).
SKIP = re.compile(
    r"/accounts/logout|/download|/export|\.csv|\.pdf|^/admin/|^/audit/\d+/|^/api/schema/"
)
MAX_PAGES = 600


def staff(email):
    """A demo staff member with the authenticator staff set up on their first sign-in."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = User.objects.get(email=email)
    TOTP.activate(user, generate_totp_secret())
    return user


def crawl(client, user):
    """Every path reached from ``user``'s dashboard by following links, and each answer."""
    client.force_login(user)
    start = reverse("dashboard:home")
    seen = {start}
    answers = {}
    queue = deque([start])
    while queue and len(answers) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        answers[url] = response.status_code
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/") or SKIP.search(href):
                continue
            if href not in seen:
                seen.add(href)
                queue.append(href)
    return answers


def paths(answers):
    return {urlsplit(url).path for url in answers}
