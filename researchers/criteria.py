"""Whether a researcher meets the scheme's criteria, read from their profile.

Pure reads with no side effects, so accreditation conditions, pages and reports can all ask
the same question and get the same answer. Each docstring's first sentence is the rule in
words, fit to show a researcher who does not meet it yet.
"""

from django.conf import settings

from .models import Organisation, Qualification

Level = Qualification.Level
Classification = Qualification.Classification

# A degree counts at 2:2 or better. Postgraduate degrees are not classed that way: any award
# of a master's or doctorate is above that bar.
_QUALIFYING_CLASSIFICATIONS = {
    Level.BACHELOR: {
        Classification.FIRST,
        Classification.UPPER_SECOND,
        Classification.LOWER_SECOND,
    },
    Level.MASTER: {Classification.DISTINCTION, Classification.MERIT, Classification.PASS},
    Level.DOCTORATE: {Classification.PASS, Classification.DISTINCTION},
    Level.OTHER: {
        Classification.FIRST,
        Classification.UPPER_SECOND,
        Classification.LOWER_SECOND,
        Classification.DISTINCTION,
        Classification.MERIT,
    },
}


def qualification_meets_full_criteria(qualification):
    """A degree with substantial quantitative content at 2:2 or better, or at least three
    years' quantitative research experience."""
    if qualification.kind == Qualification.Kind.DEGREE:
        return qualification.quantitative and qualification.classification in (
            _QUALIFYING_CLASSIFICATIONS.get(qualification.level, set())
        )
    if qualification.kind == Qualification.Kind.EXPERIENCE:
        return (qualification.years or 0) >= settings.ACCREDITATION_FULL_EXPERIENCE_YEARS
    return False


def user_meets_full_criteria(user):
    """A degree with substantial quantitative content at 2:2 or better, or at least three
    years' quantitative research experience."""
    return any(qualification_meets_full_criteria(q) for q in user.qualifications.all())


def user_training_passed(user, *, since=None):
    """Safe Researcher Training passed, on or after the date given when there is one."""
    records = user.training_records.all()
    if since is None:
        return bool(records)
    return any(record.passed_on >= since for record in records)


def user_profile_complete(user):
    """Your name, an approved organisation and a way to contact you at work."""
    if not (user.full_name or "").strip():
        return False
    profile = getattr(user, "profile", None)
    if profile is None:
        return False
    organisation = profile.organisation
    if organisation is None or organisation.status != Organisation.Status.APPROVED:
        return False
    return bool(profile.work_address.strip() or profile.contact_email.strip())


def user_declaration_signed_current(user):
    """You have signed the current version of the confidentiality declaration."""
    # One question, asked in one place: a signature whose signed PDF is still being made, or
    # could not be made, does not count.
    from researchers.declaration.selectors import declaration_signed_current

    return declaration_signed_current(user=user) is not None
