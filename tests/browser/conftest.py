"""Browser journeys: Playwright driving Debian's Chromium against the live server.

Every page a journey visits is checked with axe-core; any violation fails the test. The content
security policy stays on: axe is evaluated through the DevTools protocol, which the policy does not
govern, and a page that breaks the policy fails the test as well. Each page is then shown 320 CSS
pixels wide, and fails if it scrolls sideways there (WCAG 2.2, 1.4.10 Reflow).
"""

from importlib import import_module
from pathlib import Path

import pytest

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()

# WCAG 2.2, 1.4.10 Reflow: content fits 320 CSS pixels without scrolling in two directions.
REFLOW_WIDTH = 320

# What sticks out past the right edge of the page, widest first, each as a short description:
# the outermost boxes that do (a table wider than the screen, not every cell in it), or, when
# no box does, the innermost elements whose text runs out of them (a long email address). An
# element inside a box that scrolls or clips sideways, such as a wide table in its own scrolling
# area, does not widen the page and is left out, unless nothing else is found.
OVERFLOWING = r"""
(limit) => {
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  const candidates = [...document.body.querySelectorAll("*")].filter((el) => !clipped(el));
  const boxes = candidates.filter((el) => el.getBoundingClientRect().right > limit + 0.5);
  const outermost = boxes.filter(
    (el) => !boxes.some((other) => other !== el && other.contains(el))
  );
  const spilling = candidates.filter(
    (el) => getComputedStyle(el).overflowX === "visible"
      && el.getBoundingClientRect().left + el.scrollWidth > limit + 0.5
  );
  const innermost = spilling.filter(
    (el) => !spilling.some((other) => other !== el && el.contains(other))
  );
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    if (el.classList.length) name += "." + [...el.classList].join(".");
    const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 50);
    const width = Math.round(Math.max(el.getBoundingClientRect().width, el.scrollWidth));
    return `${name} (${width}px) "${text}"`;
  };
  // An absolutely positioned element is clipped only by a scrolling box that positions it.
  const anyBox = [...document.body.querySelectorAll("*")].filter(
    (el) => el.getBoundingClientRect().right > limit + 0.5
  );
  const found = outermost.length ? outermost : innermost.length ? innermost : anyBox.slice(-5);
  return found
    .sort((a, b) => Math.max(b.offsetWidth, b.scrollWidth) - Math.max(a.offsetWidth, a.scrollWidth))
    .slice(0, 5)
    .map(describe);
}
"""


def reflow_problems(page, *, resized=False):
    """What makes ``page``, at the width it is shown, scroll sideways; None when nothing does.

    ``resized``: the page has just been given this width, and its scripts (the menu that folds
    away) answer before it is measured."""
    if resized:
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
    width = page.evaluate("() => document.documentElement.scrollWidth")
    limit = page.evaluate("() => document.documentElement.clientWidth")
    if width <= limit:
        return None
    return f"{page.url} is {width} pixels wide at {limit}: {page.evaluate(OVERFLOWING, limit)}"


class PageChecker:
    def __init__(self, page):
        self.page = page
        self.policy_violations = []
        page.on("console", self._on_console)

    def _on_console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.policy_violations.append(f"{self.page.url}: {message.text}")

    def follow(self, locator):
        """Click ``locator`` and wait until the page it leads to has loaded. Waiting for the load
        state alone can return at once, on the page the click leaves."""
        with self.page.expect_navigation():
            locator.click()

    def check(self):
        """Run axe on the page as it stands, and fail on any violation or if it does not
        reflow."""
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
        self.check_reflow()

    def check_reflow(self):
        """Fail when the page, shown 320 pixels wide, scrolls sideways; then show it at the size
        it had."""
        page = self.page
        size = page.viewport_size
        page.set_viewport_size({"width": REFLOW_WIDTH, "height": size["height"]})
        try:
            problem = reflow_problems(page, resized=True)
        finally:
            page.set_viewport_size(size)
        assert not problem, f"the page scrolls sideways: {problem}"


@pytest.fixture
def checked_page(page):
    """The Playwright page, with ``checked_page.check_accessibility()`` to run axe on what it
    shows and check it reflows, and ``checked_page.follow(locator)`` to click through to the next
    page."""
    checker = PageChecker(page)
    page.check_accessibility = checker.check
    page.follow = checker.follow
    return page


# The rows the data migrations load, and where to load them again from.
MIGRATION_ROWS = (
    ("researchers.migrations.0002_role_groups", "create_role_groups"),
    ("researchers.migrations.0003_profile", "add_starting_organisations"),
    ("researchers.migrations.0005_declaration_version_one", "publish_version_one"),
    ("legislation.migrations.0002_load_catalogue", "load_catalogue"),
    ("retention.migrations.0002_proposed_schedule", "load"),
)


@pytest.fixture
def migration_rows(transactional_db):
    """The rows the data migrations load (role groups, organisations, the declaration's first
    version, the catalogue of acts and datasets, the proposed retention schedule), loaded again:
    a transactional test ends by emptying every table, so the next one starts without them. Each
    loader leaves rows that are already there as they are."""
    from django.apps import apps

    for module, function in MIGRATION_ROWS:
        getattr(import_module(module), function)(apps, None)
