import pytest

from legislation.access_modes import (
    AccessMode,
    access_mode_compare,
    access_mode_rank,
    access_mode_satisfies,
    access_mode_strictest,
)
from legislation.selectors import datasets_strictest_access_mode
from tests.legislation.factories import DatasetFactory


def test_access_modes_order_weakest_to_strictest():
    assert (
        access_mode_rank(AccessMode.REMOTE_SECURE)
        < access_mode_rank(AccessMode.SAFE_SETTING)
        < access_mode_rank(AccessMode.SECURE_LAB_ONLY)
    )


def test_access_mode_strictest_picks_the_strictest_of_several():
    modes = [AccessMode.SAFE_SETTING, AccessMode.SECURE_LAB_ONLY, AccessMode.REMOTE_SECURE]

    assert access_mode_strictest(modes) == AccessMode.SECURE_LAB_ONLY


def test_access_mode_strictest_accepts_plain_strings():
    assert access_mode_strictest(["remote_secure", "safe_setting"]) == AccessMode.SAFE_SETTING


def test_access_mode_strictest_of_nothing_is_none():
    assert access_mode_strictest([]) is None


def test_access_mode_compare_says_which_is_stricter():
    assert access_mode_compare(AccessMode.REMOTE_SECURE, AccessMode.SAFE_SETTING) < 0
    assert access_mode_compare(AccessMode.SAFE_SETTING, AccessMode.SAFE_SETTING) == 0
    assert access_mode_compare(AccessMode.SECURE_LAB_ONLY, AccessMode.SAFE_SETTING) > 0


def test_access_mode_satisfies_refuses_a_weaker_mode():
    assert not access_mode_satisfies(AccessMode.REMOTE_SECURE, AccessMode.SAFE_SETTING)
    assert access_mode_satisfies(AccessMode.SAFE_SETTING, AccessMode.SAFE_SETTING)
    assert access_mode_satisfies(AccessMode.SECURE_LAB_ONLY, AccessMode.SAFE_SETTING)


def test_access_mode_rank_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="not an access mode"):
        access_mode_rank("anywhere")


@pytest.mark.django_db
def test_datasets_strictest_access_mode_is_the_strictest_dataset_needs():
    datasets = [
        DatasetFactory(access_mode=AccessMode.REMOTE_SECURE),
        DatasetFactory(access_mode=AccessMode.SECURE_LAB_ONLY),
        DatasetFactory(access_mode=AccessMode.SAFE_SETTING),
    ]

    assert datasets_strictest_access_mode(datasets=datasets) == AccessMode.SECURE_LAB_ONLY
