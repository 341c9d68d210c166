import re

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)


def assert_no_inline_code(html):
    """The content security policy refuses inline scripts and styles; pages must not need them."""
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not STYLE_ATTRIBUTE.search(html), STYLE_ATTRIBUTE.search(html).group(0)
    assert not STYLE_ELEMENT.search(html)


def assert_govuk_page(html):
    assert 'class="govuk-skip-link"' in html
    assert "govuk-service-navigation__service-name" in html
    assert "govuk-phase-banner" in html
    assert 'id="main-content"' in html


def assert_error_summary_links_to(html, field_id):
    assert 'class="govuk-error-summary"' in html
    assert f'href="#{field_id}"' in html
    assert "<title>Error: " in html
    assert "Error: Error:" not in html
