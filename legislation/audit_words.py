"""What the audit trail shows for this app's own actions; registered in ``audit.hooks`` from the
app's ``AppConfig.ready()``."""

WORDS = {
    "legislation.act_created": "Added an act to the catalogue",
    "legislation.act_updated": "Changed an act in the catalogue",
    "legislation.dataset_created": "Added a dataset to the catalogue",
    "legislation.dataset_updated": "Changed a dataset in the catalogue",
}
