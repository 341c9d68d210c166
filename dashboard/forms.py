from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    """Renders Django forms with GOV.UK Frontend markup from templates/django/forms/."""
