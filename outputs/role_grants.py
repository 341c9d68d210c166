"""What the output-checker role gives beyond its group, and the service that ends it when the
role is taken away. Registered in ``researchers.hooks`` by ``OutputsConfig.ready()``."""

from identity.roles import Role
from outputs.review import selectors as review_selectors
from outputs.review import services as review_services
from researchers.hooks import RoleGrant


def _reviews_open_discard(*, user, by, request=None):
    review_services.reviews_open_discard(checker=user, by=by, request=request)


ROLE_GRANTS = (
    RoleGrant(
        role=Role.OUTPUT_CHECKER,
        gives="Open reviews of output requests, with their votes and comments, until submitted.",
        held=review_selectors.checker_reviews_open,
        end=_reviews_open_discard,
    ),
)
