"""What the audit trail shows for this app's own actions; registered in ``audit.hooks`` from the
app's ``AppConfig.ready()``."""

WORDS = {
    "output_request.created": "Started an output request",
    "output_request.group_added": "Added a group of output files",
    "output_request.group_changed": "Changed a group of output files",
    "output_request.file_added": "Added an output file",
    "output_request.file_changed": "Changed an output file's details",
    "output_request.file_replaced": "Replaced an output file",
    "output_request.file_removed": "Removed an output file",
    "output_request.file_vote": "Voted on an output file",
    "output_request.group_comment": "Commented on a group of output files",
    "output_request.votes_reset": "Cleared the checkers' votes for a new round",
    "output_request.votes_kept": "Kept a checker's votes on unchanged files for a new round",
    "output_request.review_discarded": "Discarded an unfinished review",
    "output_acro_imported": "Imported ACRO results",
    "output.downloaded": "Downloaded released outputs",
    "output.release_record_downloaded": "Downloaded a release record",
    "output.publication_recorded": "Recorded a publication",
    "output.publication_changed": "Changed a publication",
}
