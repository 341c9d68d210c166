"""Rules an output request must meet before its author can submit it. Each rule's ``message``
is the sentence shown to the author while the rule is not met."""

from accreditation.selectors import accreditation_active_for


def every_group_described(output_request):
    return not output_request.groups.filter(context="").exists() and not (
        output_request.groups.filter(disclosure_controls="").exists()
    )


every_group_described.message = "Every group needs its context and the disclosure controls applied."


def has_a_file(output_request):
    from outputs.models import OutputFile

    return OutputFile.objects.filter(
        group__request=output_request, replaced_at__isnull=True
    ).exists()


has_a_file.message = "The request needs at least one file."


def author_accredited(output_request):
    return accreditation_active_for(output_request.author) is not None


author_accredited.message = (
    "The author must hold active accreditation: a suspended or expired researcher cannot submit "
    "outputs."
)


def checks_finished(output_request):
    from outputs.check.selectors import files_awaiting_checks

    return not files_awaiting_checks(output_request).exists()


checks_finished.message = (
    "The automated checks must finish on every file before the request is sent."
)
