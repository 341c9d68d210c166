import pytest
from django.core.exceptions import ValidationError

from researchers.orcid import CHECKSUM_MESSAGE, FORMAT_MESSAGE, normalise_orcid


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0001-5109-3700", "0000-0001-5109-3700"),
        ("orcid.org/0000-0001-5109-3700", "0000-0001-5109-3700"),
        ("0000-0002-1694-233x", "0000-0002-1694-233X"),
        ("0000 0002 1694 233X", "0000-0002-1694-233X"),
        ("000000021825009 7", "0000-0002-1825-0097"),
    ],
)
def test_orcid_valid_forms_are_normalised(typed, stored):
    assert normalise_orcid(typed) == stored


@pytest.mark.parametrize("typed", ["0000-0002-1825-0098", "0000-0002-1694-2339"])
def test_orcid_wrong_check_character_refused(typed):
    with pytest.raises(ValidationError) as error:
        normalise_orcid(typed)

    assert error.value.messages == [CHECKSUM_MESSAGE]


@pytest.mark.parametrize(
    "typed", ["1234", "0000-0002-1825-009", "ABCD-0002-1825-0097", "https://example.com/0000"]
)
def test_orcid_wrong_format_refused(typed):
    with pytest.raises(ValidationError) as error:
        normalise_orcid(typed)

    assert error.value.messages == [FORMAT_MESSAGE]
