"""Browser journeys: Playwright driving Debian's Chromium against the live server.

Every page a journey visits is checked with axe-core; any violation fails the test. The content
security policy stays on: axe is evaluated through the DevTools protocol, which the policy does not
govern, and a page that breaks the policy fails the test as well.
"""

from pathlib import Path

import pytest

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()


class PageChecker:
    def __init__(self, page):
        self.page = page
        self.policy_violations = []
        page.on("console", self._on_console)

    def _on_console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.policy_violations.append(f"{self.page.url}: {message.text}")

    def check(self):
        """Run axe on the page as it stands, and fail on any violation."""
        page = self.page
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(AXE_SOURCE)
        violations = page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ["violations"]});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
                }));
            }"""
        )
        assert not violations, f"axe found problems on {page.url}: {violations}"
        assert not self.policy_violations, self.policy_violations


@pytest.fixture
def checked_page(page):
    """The Playwright page, with ``checked_page.check()`` to run axe on what it shows."""
    checker = PageChecker(page)
    page.check_accessibility = checker.check
    return page
