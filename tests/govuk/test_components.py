"""The shared GOV.UK components in templates/components/, and that pages use them instead of
writing the markup again."""

import datetime
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.template import TemplateSyntaxError, engines

from outputs.models import OutputRequest
from projects.models import Proposal
from reports.models import ReportExport

TEMPLATES = Path(settings.BASE_DIR) / "templates"
COMPONENTS = TEMPLATES / "components"
STYLESHEET = Path(settings.BASE_DIR) / "static/vendor/govuk-frontend/govuk-frontend.min.css"


def render(source, **context):
    return engines["django"].from_string("{% load govuk %}" + source).render(context)


def test_summary_list_rows_give_key_value_and_change_link_with_words_for_screen_readers():
    html = render(
        "{% summary_list id='details' %}"
        "{% summary_row 'Full name' action_url='/edit/#name' %}Ada Lovelace{% endsummary_row %}"
        "{% summary_row 'ORCID iD' action_url='/edit/#orcid' action_label='ORCID iD' %}"
        "0000-0002-1825-0097{% endsummary_row %}"
        "{% summary_row 'Joined' value_id='joined' %}{{ joined }}{% endsummary_row %}"
        "{% endsummary_list %}",
        joined="1 May 2024",
    )

    assert '<dl class="govuk-summary-list" id="details">' in html
    assert '<dt class="govuk-summary-list__key">Full name</dt>' in html
    assert '<dd class="govuk-summary-list__value">Ada Lovelace</dd>' in html
    assert 'href="/edit/#name">Change<span class="govuk-visually-hidden"> full name</span>' in html
    assert 'href="/edit/#orcid">Change<span class="govuk-visually-hidden"> ORCID iD</span>' in html
    assert '<dd class="govuk-summary-list__value" id="joined">1 May 2024</dd>' in html
    # The row without a link leaves the links' column empty, as GOV.UK asks.
    assert html.count("govuk-summary-list__row--no-actions") == 1


def test_summary_list_without_actions_leaves_no_empty_column_unless_asked():
    rows = "{% summary_row 'Status' %}Sent{% endsummary_row %}"

    plain = render("{% summary_list %}" + rows + "{% endsummary_list %}")
    aligned = render("{% summary_list actions_column=True %}" + rows + "{% endsummary_list %}")

    assert "govuk-summary-list__row--no-actions" not in plain
    assert "govuk-summary-list__row--no-actions" in aligned


def test_summary_row_takes_a_key_of_its_own_markup_and_actions_of_its_own():
    html = render(
        "{% summary_list %}{% summary_row %}{{ name }} <span>{{ team }}</span>"
        "{% value %}Accepted{% actions %}<button>Remove</button>{% endsummary_row %}"
        "{% summary_row 'Kept' %}Yes{% actions %}{% endsummary_row %}{% endsummary_list %}",
        name="Ada <Lovelace>",
        team="Analytical Engine",
    )

    assert (
        '<dt class="govuk-summary-list__key">Ada &lt;Lovelace&gt; '
        "<span>Analytical Engine</span></dt>" in html
    )
    assert '<dd class="govuk-summary-list__actions"><button>Remove</button></dd>' in html
    # Actions that render nothing leave the row without any.
    assert html.count("govuk-summary-list__actions") == 1


def test_summary_row_outside_a_summary_list_is_refused():
    with pytest.raises(TemplateSyntaxError, match="inside summary_list"):
        render("{% summary_row 'Status' %}Sent{% endsummary_row %}")


def test_state_tag_shows_the_state_in_the_colour_its_model_gives_it():
    ended = render("{% state_tag proposal %}", proposal=Proposal(state=Proposal.State.ENDED))
    returned = render(
        "{% state_tag output_request %}",
        output_request=OutputRequest(state=OutputRequest.State.RETURNED),
    )

    assert ended.strip() == '<strong class="govuk-tag govuk-tag--yellow">Ended</strong>'
    assert returned.strip() == (
        '<strong class="govuk-tag govuk-tag--orange">Returned for changes</strong>'
    )


def test_state_tag_takes_an_id_for_a_script_to_find_it_by():
    html = render(
        '{% state_tag output_request id="state" %}',
        output_request=OutputRequest(state=OutputRequest.State.SUBMITTED),
    )

    assert html == '<strong class="govuk-tag govuk-tag--blue" id="state">Submitted</strong>'


DAYS = [
    datetime.date(2026, 9, 4),
    datetime.date(2027, 5, 1),
    datetime.datetime(2026, 9, 3, 23, 30, tzinfo=datetime.UTC),  # the 4th in London
    datetime.datetime(2026, 1, 31, 12, 0, tzinfo=datetime.UTC),
    None,
    "",
]


@pytest.mark.parametrize("value", DAYS)
@pytest.mark.parametrize(
    "ours, date_format", [("day_month_year", "j M Y"), ("day_full_month_year", "j F Y")]
)
def test_day_filters_write_what_the_date_filter_writes(ours, date_format, value):
    written = render(f"{{{{ value|{ours} }}}}", value=value)

    assert written == render(f'{{{{ value|date:"{date_format}" }}}}', value=value)


def tag_colours():
    """The colours GOV.UK Frontend gives tags: its modifier classes, and blue, the plain tag's."""
    return {"blue"} | set(re.findall(r"\.govuk-tag--([a-z-]+)\{", STYLESHEET.read_text()))


@pytest.mark.parametrize(
    "model",
    [model for model in apps.get_models() if getattr(model, "STATE_TAG_COLOURS", None)],
    ids=lambda model: model._meta.label,
)
def test_every_state_a_tag_can_show_has_a_colour_govuk_frontend_has(model):
    states = {value for value, _ in model._meta.get_field("state").choices}

    assert set(model.STATE_TAG_COLOURS) == states
    assert set(model.STATE_TAG_COLOURS.values()) <= tag_colours()


def test_report_export_status_keeps_its_colour_while_its_page_updates_the_words():
    assert set(ReportExport.STATE_TAG_COLOURS.values()) == {"blue"}


def test_error_summary_lists_why_a_step_was_refused():
    html = render(
        '{% include "components/error_summary.html" with refusals=refusals only %}',
        refusals=["Every team member must hold active accreditation."],
    )

    assert 'data-module="govuk-error-summary"' in html
    assert "<li>Every team member must hold active accreditation.</li>" in html
    nothing = render('{% include "components/error_summary.html" with refusals=None only %}')
    assert nothing.strip() == ""


def test_warning_text_takes_markup_of_its_own():
    html = render('{% warning id="w" %}Set up <a href="/mfa/">two factors</a>{% endwarning %}')

    assert '<div class="govuk-warning-text" id="w">' in html
    assert '<span class="govuk-visually-hidden">Warning</span>' in html
    assert 'Set up <a href="/mfa/">two factors</a>' in html


def test_rules_list_tags_each_rule_met_not_met_or_not_needed():
    html = render(
        '{% include "components/rules_list.html" with rules=rules id="rules" only %}',
        rules=[("Sign.", True), ("Train.", False), ("Name a supervisor.", False, False)],
    )
    tags = re.findall(r'govuk-tag[^"]*">([^<]+)</strong>\s*([^<]+?)\s*</li>', html)

    assert tags == [("Met", "Sign."), ("Not met", "Train."), ("Not needed", "Name a supervisor.")]


# Markup that only a component in templates/components/ may write, each with what to use instead.
BY_HAND = {
    "a summary list or row (summary_list and summary_row tags)": re.compile(
        r'<dl class="govuk-summary-list|govuk-summary-list__row'
    ),
    "an error summary (components/error_summary.html, error_summary tag)": re.compile(
        r'class="govuk-error-summary"|data-module="govuk-error-summary"'
    ),
    "a state tag ({% state_tag obj %})": re.compile(
        r'class="govuk-tag[^"]*\bstate\b'
        r'|<strong class="govuk-tag[^>]*>\s*\{\{[^}]*get_state_display'
    ),
    "warning text (components/warning.html, warning tag)": re.compile(
        r'class="govuk-warning-text"'
    ),
    "a task list (components/task_list.html)": re.compile(r'class="govuk-task-list"'),
}


def test_no_template_outside_the_components_writes_their_markup_by_hand():
    written = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        if COMPONENTS not in path.parents
        for what, pattern in BY_HAND.items()
        if pattern.search(path.read_text())
    ]

    assert written == [], "\n".join(written)


def test_every_error_summary_include_lists_only_what_it_is_given():
    """Included with the page's context, a summary would list the page's other form, or its
    refusals, a second time."""
    include = re.compile(r'\{% include "components/error_summary\.html"[^%]*%\}')
    without_only = [
        f"{path.relative_to(TEMPLATES)}: {tag}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for tag in include.findall(path.read_text())
        if not tag.endswith(" only %}")
    ]

    assert without_only == [], "\n".join(without_only)
