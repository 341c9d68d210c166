"""How data may be reached, ordered from the weakest setting to the strictest.

The order is what matters: a project's access mode must be at least as strict as the strictest
mode any of its datasets requires (the "safe settings" of the five safes).
"""

from django.db import models


class AccessMode(models.TextChoices):
    # Declared weakest first; the declaration order is the strictness order.
    REMOTE_SECURE = (
        "remote_secure",
        "Assured remote access from an approved organisation",
    )
    SAFE_SETTING = (
        "safe_setting",
        "Safe setting: a safe pod or secure research service site",
    )
    SECURE_LAB_ONLY = (
        "secure_lab_only",
        "On-site secure lab only",
    )


_RANK = {mode: rank for rank, mode in enumerate(AccessMode.values)}


def access_mode_rank(mode):
    """0 for the weakest mode, rising with strictness. Raises ValueError for an unknown mode."""
    try:
        return _RANK[str(mode)]
    except KeyError:
        raise ValueError(f"{mode!r} is not an access mode.") from None


def access_mode_compare(a, b):
    """Negative when ``a`` is weaker than ``b``, zero when equal, positive when stricter."""
    return access_mode_rank(a) - access_mode_rank(b)


def access_mode_satisfies(mode: str, required: str) -> bool:
    """True when ``mode`` is at least as strict as ``required``."""
    return access_mode_compare(mode, required) >= 0


def access_mode_strictest(modes):
    """The strictest of ``modes`` as an AccessMode, or None when there are none."""
    modes = list(modes)
    if not modes:
        return None
    return AccessMode(max(modes, key=access_mode_rank))
