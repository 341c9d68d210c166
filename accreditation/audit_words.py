"""What the audit trail shows for this app's own actions, and where its objects open."""

from audit.describe import action_words_register, object_page_register

WORDS = {
    "accreditation_application.start": "Started an application for accreditation",
    "accreditation_application.update": "Changed an application for accreditation",
    "accreditation_application.renew": "Started a renewal of accreditation",
    "accreditation_application.screen": "Recorded screening checks on an application",
    "accreditation_application.supervision_confirm": "Supervisor agreed to supervise",
    "accreditation_application.supervision_decline": "Supervisor declined to supervise",
    "accreditation.grant": "Granted accreditation",
}


def register():
    action_words_register(WORDS)
    object_page_register("accreditation.accreditationapplication", "accreditation:screen")
    object_page_register("accreditation.accreditation", "accreditation:accreditation_detail")
