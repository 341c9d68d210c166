"""What output checking tells the rest of the service about."""

from django.dispatch import Signal

# A file was replaced by a new version, inside the transaction that replaced it. Arguments:
# ``old_file`` and ``new_file`` (OutputFile rows), ``by`` (the user) and ``request`` (or None).
# Receivers run in that transaction, so what they change commits or rolls back with it.
file_replaced = Signal()
