import logging

from celery import shared_task

from documents.keys import SigningNotConfigured

from .declaration_services import declaration_fail, declaration_render_and_sign
from .declarations import Declaration

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, default_retry_delay=30)
def declaration_render_and_sign_task(self, declaration_id):
    """Prepare a signed declaration's PDF; retried a few times, then marked as failed."""
    declaration = Declaration.objects.filter(pk=declaration_id).first()
    if declaration is None or declaration.state != Declaration.State.PENDING:
        return
    try:
        declaration_render_and_sign(declaration=declaration)
    except SigningNotConfigured as error:
        # Retrying cannot help until an operator configures the key.
        logger.error("Declaration %s cannot be signed: %s", declaration.reference, error)
        declaration_fail(declaration=declaration, reason=str(error))
    except Exception as error:
        if self.request.retries >= MAX_RETRIES:
            logger.exception("Declaration %s could not be prepared", declaration.reference)
            declaration_fail(declaration=declaration, reason=f"{type(error).__name__}: {error}")
            return
        raise self.retry(exc=error, countdown=30 * (2**self.request.retries)) from error
