"""What a refused workflow step raises, in words a user can read."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied


class TransitionNotPermitted(PermissionDenied):
    """The person asking may not take this step (a 403, whatever the object's state)."""


class TransitionRefused(Exception):
    """The step cannot be taken yet. ``reasons`` are the sentences to show, one per unmet rule."""

    def __init__(self, reasons: Iterable[str]) -> None:
        self.reasons = list(reasons)
        super().__init__(" ".join(self.reasons))
