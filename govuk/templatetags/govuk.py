"""Template helpers for GOV.UK Frontend markup: form widgets, error summary links, pagination,
landmarks, and the tags that fill the shared components in ``templates/components/``."""

from django import forms, template
from django.core.paginator import Paginator
from django.forms import widgets
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from govuk.forms import GovukDateInput
from govuk.rows import long_date, short_date

register = template.Library()

# Widget class -> (the kind of GOV.UK component, the class its control takes).
# Order matters: subclasses before the classes they extend.
_WIDGET_KINDS = (
    (forms.HiddenInput, "hidden", ""),
    (forms.MultipleHiddenInput, "hidden", ""),
    (forms.CheckboxSelectMultiple, "checkboxes", "govuk-checkboxes__input"),
    (forms.RadioSelect, "radios", "govuk-radios__input"),
    (forms.CheckboxInput, "checkbox", "govuk-checkboxes__input"),
    (forms.SelectDateWidget, "date", "govuk-select"),
    (GovukDateInput, "govuk_date", "govuk-input"),
    (forms.Select, "select", "govuk-select"),
    (forms.Textarea, "textarea", "govuk-textarea"),
    (forms.FileInput, "file", "govuk-file-upload"),
    (forms.PasswordInput, "password", "govuk-input govuk-password-input__input"),
    (forms.DateInput, "input", "govuk-input govuk-input--width-10"),
    (forms.MultiWidget, "multi", "govuk-input"),
    (widgets.Input, "input", "govuk-input"),
)

_ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-select": "govuk-select--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-file-upload": "govuk-file-upload--error",
}


def _kind_and_class(widget):
    for widget_class, kind, css_class in _WIDGET_KINDS:
        if isinstance(widget, widget_class):
            return kind, css_class
    return "input", ""


@register.filter
def govuk_kind(bound_field):
    """Which GOV.UK component a field renders as: input, password, textarea, select, checkbox,
    checkboxes, radios, date, file, multi or hidden."""
    return _kind_and_class(bound_field.field.widget)[0]


@register.simple_tag
def govuk_widget(bound_field):
    """The field's control with GOV.UK classes, keeping any class the form set on the widget."""
    widget = bound_field.field.widget
    kind, css_class = _kind_and_class(widget)
    classes = css_class.split()
    classes += [c for c in widget.attrs.get("class", "").split() if c not in classes]
    if bound_field.errors:
        classes += [_ERROR_CLASSES[c] for c in css_class.split() if c in _ERROR_CLASSES]
    attrs = {"class": " ".join(classes)} if classes else {}
    # GOV.UK asks for hints instead of placeholders, which vanish as soon as someone types.
    attrs["placeholder"] = False
    if kind == "password":
        attrs["class"] += " govuk-js-password-input-input"
        attrs.setdefault("spellcheck", "false")
        attrs.setdefault("autocapitalize", "none")
    return bound_field.as_widget(attrs=attrs)


@register.filter(expects_localtime=True)
def day_month_year(value):
    """A date, or a moment's day in the current time zone, as ``value|date:"j M Y"`` writes it
    ("4 Sep 2026"), without the date filter's general formatter: a table of dates called it
    several times a row (``govuk.rows.short_date``, which views call for the same)."""
    if value in (None, ""):
        return ""
    try:
        return short_date(value)
    except (AttributeError, KeyError, TypeError):
        return ""


@register.filter(expects_localtime=True)
def day_full_month_year(value):
    """A date, or a moment's day in the current time zone, as ``value|date:"j F Y"`` writes it
    ("4 September 2026"), without the date filter's general formatter: a reminder sweep writes
    tens of thousands of them into emails."""
    if value in (None, ""):
        return ""
    try:
        return long_date(value)
    except (AttributeError, KeyError, TypeError):
        return ""


def _text(value):
    """``value`` as ``{{ value|stringformat:"s" }}`` writes it."""
    return conditional_escape("%s" % (value,))  # noqa: UP031 -- the filter's own formatting


def _input_attrs(attrs):
    """``attrs`` as django/forms/widgets/attrs.html writes them."""
    return "".join(
        f" {conditional_escape(name)}" + ("" if value is True else f'="{_text(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


@register.simple_tag
def govuk_choice_items(widget, kind):
    """The items of a GOV.UK radios or checkboxes component (``kind``, "radios" or
    "checkboxes"): each of the widget's options as its input, written as Django's
    ``django/forms/widgets/input.html`` writes it, and its label. Written in one pass of Python
    rather than by a template each, which took a millisecond or more for a dozen options."""
    items = []
    for _group, options, _index in widget["optgroups"]:
        for option in options:
            value = "" if option["value"] is None else f' value="{_text(option["value"])}"'
            attrs = option["attrs"]
            items.append(
                f'\n<div class="govuk-{kind}__item">'
                f'\n  <input type="{conditional_escape(option["type"])}"'
                f' name="{conditional_escape(option["name"])}"{value}{_input_attrs(attrs)}>'
                f'\n  <label class="govuk-label govuk-{kind}__label"'
                f' for="{conditional_escape(attrs.get("id", ""))}">'
                f"{conditional_escape(option['label'])}</label>"
                "\n</div>"
            )
    return mark_safe("".join(items))  # noqa: S308 -- every value is escaped


@register.filter(is_safe=True)
def squash(value):
    """Collapse runs of whitespace, for text assembled from indented template blocks."""
    return " ".join(str(value).split())


@register.filter
def error_once(value):
    """A title that says "Error: " once: the layout adds it for a form with errors, and a page
    whose errors are not its form's adds it itself."""
    text = str(value)
    while text.startswith("Error: Error: "):
        text = text[len("Error: ") :]
    return text


@register.filter
def govuk_error_target(bound_field):
    """The id the error summary links to: the field's first control."""
    kind = govuk_kind(bound_field)
    auto_id = bound_field.auto_id
    if kind in {"radios", "checkboxes", "govuk_date"}:
        return f"{auto_id}_0"
    if kind == "date":
        return bound_field.field.widget.id_for_label(auto_id)
    if kind == "multi":
        return f"{auto_id}_0"
    return bound_field.id_for_label or auto_id


@register.simple_tag(takes_context=True)
def page_query(context, number):
    """The current query string with ``page`` set to ``number``, other parameters kept."""
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()


@register.simple_tag
def govuk_page_range(page_obj):
    """Page numbers to show, with Paginator.ELLIPSIS where some are left out."""
    return [
        None if number == Paginator.ELLIPSIS else number
        for number in page_obj.paginator.get_elided_page_range(
            page_obj.number, on_each_side=1, on_ends=1
        )
    ]


class _LandmarkNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        content = self.nodelist.render(context).strip()
        if not content or "<nav" in content:
            return content
        return f'<nav class="app-before-content" aria-label="Back">{content}</nav>'


@register.tag
def before_content_landmark(parser, token):
    """Wrap a back link placed before <main> in a navigation landmark.

    Content outside every landmark is missed by people who move between landmarks with a screen
    reader (axe's "region" rule). Breadcrumbs are already a <nav>, so they are left as they are.
    """
    nodelist = parser.parse(("endbefore_content_landmark",))
    parser.delete_first_token()
    return _LandmarkNode(nodelist)


def _render_component(context, name, values):
    """The component ``templates/components/<name>.html`` filled with ``values`` alone."""
    component = context.template.engine.get_template(f"components/{name}.html")
    return component.render(context.new(values))


def _rendered(nodelist, context):
    # Safe: the engine has escaped what the markup's variables hold.
    return mark_safe(nodelist.render(context).strip())  # noqa: S308


def _kwargs(parser, bits, tag):
    kwargs = template.base.token_kwargs(bits, parser)
    if bits:
        raise template.TemplateSyntaxError(f"{tag} takes only name=value options, not {bits[0]}")
    return kwargs


class _ComponentNode(template.Node):
    """A component whose main content is the markup between its tag and its end tag."""

    def __init__(self, name, kwargs, nodelist):
        self.name = name
        self.kwargs = kwargs
        self.nodelist = nodelist

    def render(self, context):
        values = {key: value.resolve(context) for key, value in self.kwargs.items()}
        values["content"] = _rendered(self.nodelist, context)
        return _render_component(context, self.name, values)


def _component(parser, token, name):
    bits = token.split_contents()
    tag = bits.pop(0)
    kwargs = _kwargs(parser, bits, tag)
    nodelist = parser.parse((f"end{tag}",))
    parser.delete_first_token()
    return _ComponentNode(name, kwargs, nodelist)


@register.tag
def warning(parser, token):
    """GOV.UK warning text around markup of its own, in ``components/warning.html``:
    ``{% warning id="two-factor-needed" %}Set up <a ...>two factors</a> first.{% endwarning %}``.
    Plain words need no tag: ``{% include "components/warning.html" with text="..." only %}``.
    """
    return _component(parser, token, "warning")


@register.tag
def error_summary(parser, token):
    """A GOV.UK error summary whose body is markup of its own, in
    ``components/error_summary.html``:
    ``{% error_summary title="..." %}<p>...</p>{% enderror_summary %}``.

    ``hidden=True`` starts it hidden, for a script to show and move focus to, and ``id`` names
    it for that script. A form's errors, or the sentences saying why a step was refused, need
    no tag: ``{% include "components/error_summary.html" with form=form only %}`` (or
    ``refusals=refusals``).
    """
    return _component(parser, token, "error_summary")


class _ScrollRegionNode(template.Node):
    def __init__(self, label_parts, nodelist):
        self.label_parts = label_parts
        self.nodelist = nodelist

    def render(self, context):
        label = " ".join(filter(None, (str(part.resolve(context)) for part in self.label_parts)))
        values = {"label": label, "content": _rendered(self.nodelist, context)}
        return _render_component(context, "table_scroll", values).strip()


@register.tag
def scroll_region(parser, token):
    """Wrap a table in an area of its own that scrolls sideways when the table is wider than
    the screen, so the page itself never does (WCAG 1.4.10 Reflow allows data tables to scroll).

    ``{% scroll_region "Accredited researchers" %}<table>...</table>{% endscroll_region %}``;
    several arguments make one name, joined by spaces (``"Files in" group.name``). The area is
    a named region that takes keyboard focus, so someone without a mouse can scroll it with the
    arrow keys, and a screen reader says what it holds.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs the area's name")
    nodelist = parser.parse(("endscroll_region",))
    parser.delete_first_token()
    return _ScrollRegionNode([parser.compile_filter(bit) for bit in bits[1:]], nodelist)


# Where the rows of the summary list being rendered are collected.
_SUMMARY_ROWS = "_govuk_summary_rows"


class _SummaryListNode(template.Node):
    def __init__(self, kwargs, nodelist):
        self.kwargs = kwargs
        self.nodelist = nodelist

    def render(self, context):
        rows = []
        with context.push({_SUMMARY_ROWS: rows}):
            stray = self.nodelist.render(context).strip()
        if stray:
            raise template.TemplateSyntaxError(
                f"Only summary_row goes inside summary_list, not {stray[:60]!r}"
            )
        values = {key: value.resolve(context) for key, value in self.kwargs.items()}
        any_actions = any(row["actions"] or row["action_url"] for row in rows)
        values["rows"] = rows
        # GOV.UK leaves room for actions in every row once one row has them.
        values["room_for_actions"] = any_actions or values.pop("actions_column", False)
        return _render_component(context, "summary_list", values)


@register.tag
def summary_list(parser, token):
    """A GOV.UK summary list of the ``summary_row`` tags inside it, in
    ``components/summary_list.html``.

    ``{% summary_list id="answers" classes="govuk-!-margin-bottom-9" %}...{% endsummary_list %}``.
    Rows without actions leave the actions column empty when another row has actions, as
    GOV.UK asks; ``actions_column=True`` keeps that empty column in a list with no actions at
    all, for a page that lines its values up with those of a list that has them.
    """
    bits = token.split_contents()
    tag = bits.pop(0)
    kwargs = _kwargs(parser, bits, tag)
    nodelist = parser.parse(("endsummary_list",))
    parser.delete_first_token()
    return _SummaryListNode(kwargs, nodelist)


class _SummaryRowNode(template.Node):
    def __init__(self, key, key_nodelist, value_nodelist, actions_nodelist, kwargs):
        self.key = key
        self.key_nodelist = key_nodelist
        self.value_nodelist = value_nodelist
        self.actions_nodelist = actions_nodelist
        self.kwargs = kwargs

    def render(self, context):
        rows = context.get(_SUMMARY_ROWS)
        if rows is None:
            raise template.TemplateSyntaxError("summary_row belongs inside summary_list")
        if self.key is not None:
            key = self.key.resolve(context)
        else:
            key = _rendered(self.key_nodelist, context)
        options = {name: value.resolve(context) for name, value in self.kwargs.items()}
        actions = _rendered(self.actions_nodelist, context) if self.actions_nodelist else ""
        rows.append(
            {
                "key": key,
                "value": _rendered(self.value_nodelist, context),
                "value_id": options.get("value_id", ""),
                "action_url": options.get("action_url", ""),
                "action_text": options.get("action_text") or "Change",
                "action_label": options.get("action_label", ""),
                "actions": actions,
            }
        )
        return ""


@register.tag
def summary_row(parser, token):
    """One row of the ``summary_list`` around it: a key, a value and, if any, actions.

    ``{% summary_row "Status" value_id="state" %}value{% endsummary_row %}``. A key that is
    more than one string or variable goes before ``{% value %}`` instead:
    ``{% summary_row %}{{ name }} ({{ role }}){% value %}value{% endsummary_row %}``.

    One link: ``action_url=url`` (an empty url gives none), with ``action_text`` ("Change"
    unless given) and the words only a screen reader says after it, ``action_label`` (the key in
    lower case unless given). Other actions, such as two links or a button, go after
    ``{% actions %}``, which is left out when it renders nothing.
    """
    bits = token.split_contents()
    tag = bits.pop(0)
    key = None
    if bits and "=" not in bits[0]:
        key = parser.compile_filter(bits.pop(0))
    kwargs = _kwargs(parser, bits, tag)
    unknown = set(kwargs) - {"value_id", "action_url", "action_text", "action_label"}
    if unknown:
        raise template.TemplateSyntaxError(f"{tag} has no option {sorted(unknown)[0]}")
    nodelist = parser.parse(("value", "actions", "endsummary_row"))
    ended = parser.next_token().contents
    key_nodelist = None
    if key is None:
        if ended != "value":
            raise template.TemplateSyntaxError(f"{tag} without a key needs {{% value %}}")
        key_nodelist = nodelist
        nodelist = parser.parse(("actions", "endsummary_row"))
        ended = parser.next_token().contents
    elif ended == "value":
        raise template.TemplateSyntaxError(f"{tag} has a key already: leave out {{% value %}}")
    actions_nodelist = None
    if ended == "actions":
        actions_nodelist = parser.parse(("endsummary_row",))
        parser.delete_first_token()
    return _SummaryRowNode(key, key_nodelist, nodelist, actions_nodelist, kwargs)


@register.filter
def with_fragment(url, fragment):
    """``url#fragment``, or nothing when there is no url: a change link only some people see
    goes to a field of the page it opens."""
    return f"{url}#{fragment}" if url else ""


@register.simple_tag
def state_tag(obj, id=""):
    """``obj``'s state as a GOV.UK tag, in the colour its model's ``STATE_TAG_COLOURS`` gives
    that state: ``{% state_tag obj %}``, or ``{% state_tag obj id="state" %}``.

    Written here rather than by a template: a queue shows one in every row, and rendering a
    template for each took milliseconds a page."""
    colour = type(obj).STATE_TAG_COLOURS[obj.state]
    label = obj.get_state_display()
    if id:
        return format_html(
            '<strong class="govuk-tag govuk-tag--{}" id="{}">{}</strong>', colour, id, label
        )
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, label)
