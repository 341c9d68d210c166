"""What the audit trail shows for this app's own actions, and where its objects open; registered
in ``audit.hooks`` from the app's ``AppConfig.ready()``."""

WORDS = {
    "accreditation_application.start": "Started an application for accreditation",
    "accreditation_application.update": "Changed an application for accreditation",
    "accreditation_application.renew": "Started a renewal of accreditation",
    "accreditation_application.screen": "Recorded screening checks on an application",
    "accreditation_application.supervision_confirm": "Supervisor agreed to supervise",
    "accreditation_application.supervision_decline": "Supervisor declined to supervise",
    "accreditation.grant": "Granted accreditation",
}

OBJECT_PAGES = {
    "accreditation.accreditationapplication": "accreditation:screen",
    "accreditation.accreditation": "accreditation:accreditation_detail",
}


# Whose own pages show something of an object of each type, beyond whoever acted.
PEOPLE_CONCERNED = {
    "accreditation.accreditationapplication": lambda application: (
        application.applicant_id,
        application.supervisor_id,
    ),
    "accreditation.accreditation": lambda accreditation: (accreditation.researcher_id,),
}
