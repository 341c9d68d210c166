from django.dispatch import Signal

# Sent once the transaction that fired a transition has committed, never for a rolled-back one.
# Keyword arguments: instance, transition, from_state, to_state, by, payload. Notifications
# (emails to the next person in the journey) hang off this.
transition_done = Signal()
