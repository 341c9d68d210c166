"""What the audit trail shows for this app's own actions."""

from audit.describe import action_words_register

WORDS = {
    "legislation.act_created": "Added an act to the catalogue",
    "legislation.act_updated": "Changed an act in the catalogue",
    "legislation.dataset_created": "Added a dataset to the catalogue",
    "legislation.dataset_updated": "Changed a dataset in the catalogue",
}


def register():
    action_words_register(WORDS)
