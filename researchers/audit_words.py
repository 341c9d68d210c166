"""What the audit trail shows for this app's own actions, and where its objects open; registered
in ``audit.hooks`` from the app's ``AppConfig.ready()``."""

WORDS = {
    "researchers.user_registered": "Registered an account",
    "researchers.user_created": "Created an account",
    "researchers.role_granted": "Gave a role",
    "researchers.role_revoked": "Took a role away",
    "researchers.profile_updated": "Updated a researcher's profile",
    "researchers.organisation_proposed": "Proposed a new organisation",
    "researchers.organisation_created": "Added an organisation",
    "researchers.organisation_approved": "Approved an organisation",
    "researchers.organisation_merged": "Merged an organisation into another",
    "researchers.organisation_rejected": "Rejected an organisation",
    "researchers.qualification_added": "Added a qualification",
    "researchers.qualification_updated": "Changed a qualification",
    "researchers.qualification_deleted": "Removed a qualification",
    "researchers.training_added": "Added a training record",
    "researchers.training_updated": "Changed a training record",
    "researchers.training_deleted": "Removed a training record",
    "declaration.sign": "Signed the confidentiality declaration",
    "declaration.download": "Downloaded a signed declaration",
    # Preparing the signed PDF is a transition now ("declaration.prepare", "declaration.fail",
    # worded from the machine); events recorded before that keep these codes.
    "declaration.pdf_signed": "Signed copy of a declaration prepared",
    "declaration.failed": "Signed copy of a declaration could not be prepared",
    "declaration_version.publish": "Published a new version of the declaration",
    "declaration_version.sign_by_change": "Changed the date to sign the declaration by",
    # A person's copy of their data; preparing and deleting it are worded from its machine.
    "data_export.requested": "Asked for a copy of their data",
    "data_export.downloaded": "Downloaded a copy of their data",
}

OBJECT_PAGES = {
    "researchers.user": "researchers:person_detail",
    "researchers.organisation": "researchers:organisation_review",
}


# Whose own pages show something of an object of each type, beyond whoever acted and the
# person a user, a qualification or a training record is.
PEOPLE_CONCERNED = {
    "researchers.declaration": lambda declaration: (declaration.user_id,),
    "researchers.researcherprofile": lambda profile: (profile.user_id,),
}
