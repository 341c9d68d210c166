"""Who is told about each step of a PDF report's preparation: nobody.

The member of the secretariat who asked for it is on its status page, which follows the
preparation and offers the download once it is ready. Registered into
``notifications.hooks`` by ``ReportsConfig.ready()``.
"""

EXPORT = "reports.ReportExport"

NOTICES = {
    (EXPORT, "start"): (),
    (EXPORT, "finish"): (),
    (EXPORT, "fail"): (),
}
