"""Rules an output request must meet before its author can submit it. Each docstring's first
paragraph is the sentence shown to the author while the rule is not met."""

from accreditation.selectors import accreditation_active_for


def every_group_described(output_request):
    """Every group needs its context and the disclosure controls applied."""
    return not output_request.groups.filter(context="").exists() and not (
        output_request.groups.filter(disclosure_controls="").exists()
    )


def has_a_file(output_request):
    """The request needs at least one file."""
    from .models import OutputFile

    return OutputFile.objects.filter(
        group__request=output_request, replaced_at__isnull=True
    ).exists()


def author_accredited(output_request):
    """The author must hold active accreditation: a suspended or expired researcher cannot
    submit outputs."""
    return accreditation_active_for(output_request.author) is not None


def checks_finished(output_request):
    """The automated checks must finish on every file before the request is sent."""
    from .check_selectors import files_awaiting_checks

    return not files_awaiting_checks(output_request).exists()
