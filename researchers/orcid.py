"""ORCID iDs: sixteen characters in four groups, the last a check character (ISO 7064 MOD 11-2)."""

import re

from django.core.exceptions import ValidationError

_PREFIXES = ("https://orcid.org/", "http://orcid.org/", "orcid.org/")
_FORMAT = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")

FORMAT_MESSAGE = "Enter your ORCID iD in the correct format, like 0000-0002-1825-0097"
CHECKSUM_MESSAGE = (
    "Enter a real ORCID iD. The last character does not match the others, so check each digit"
)


def orcid_check_character(base_digits):
    """The ISO 7064 MOD 11-2 check character of the first fifteen digits."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalise_orcid(value):
    """The iD as 0000-0000-0000-000X, from what a person typed; ValidationError when invalid.

    Accepts the https://orcid.org/ form people copy from their record, spaces instead of
    hyphens, a lower-case x, and the sixteen characters run together.
    """
    text = (value or "").strip()
    lowered = text.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            text = text[len(prefix) :]
            break
    compact = re.sub(r"[\s-]", "", text).upper()
    if re.fullmatch(r"\d{15}[\dX]", compact):
        text = "-".join(compact[i : i + 4] for i in range(0, 16, 4))
    else:
        text = text.upper()
    if not _FORMAT.match(text):
        raise ValidationError(FORMAT_MESSAGE, code="orcid_format")
    digits = text.replace("-", "")
    if orcid_check_character(digits[:15]) != digits[15]:
        raise ValidationError(CHECKSUM_MESSAGE, code="orcid_checksum")
    return text
