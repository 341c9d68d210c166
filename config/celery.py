import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("ars")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The embedded filesystem broker needs its folders before a worker or producer touches them.
for _option in ("data_folder_in", "data_folder_out", "control_folder"):
    _folder = (app.conf.broker_transport_options or {}).get(_option)
    if _folder:
        os.makedirs(_folder, exist_ok=True)
# So does the file result backend, which refuses to start without its folder.
if str(app.conf.result_backend or "").startswith("file://"):
    os.makedirs(app.conf.result_backend.removeprefix("file://"), exist_ok=True)
