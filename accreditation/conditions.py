"""Rules a step must meet before it can be taken. Each docstring's first paragraph is the
sentence shown to the user when the rule is not met yet."""

from django.utils import timezone


def kind_chosen(application):
    """Choose full or provisional accreditation before approving the application."""
    return bool(application.kind)


def within_validity(accreditation):
    """An accreditation past its end date cannot be reinstated: the researcher applies again."""
    return accreditation.valid_until >= timezone.localdate()


def past_end_date(accreditation):
    """An accreditation expires only after its end date."""
    return accreditation.valid_until < timezone.localdate()
