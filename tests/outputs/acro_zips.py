"""ACRO output folders as ACRO writes them, built for tests: 0.4 keeps checksums in
``checksums/<name>.txt``, 1.0 on each file's entry."""

import hashlib
import io
import json
import zipfile

TABLE = b",men,women\nNorth,12,4\nSouth,25,30\n"
REGRESSION = b",coef\nage,0.3\n"


def sha256(content):
    return hashlib.sha256(content).hexdigest()


def results(version="0.4.11", *, files=None):
    """results.json for two outputs: a table with one cell under the threshold, a regression."""
    files = files or {"output_0_0.csv": TABLE, "output_1_0.csv": REGRESSION}
    names = list(files)

    def entry(name):
        item = {"name": name, "sdc": {"summary": {"suppressed": False}, "cells": {}}}
        if version.startswith("1."):
            item["sha256"] = sha256(files[name])
        return item

    return {
        "version": version,
        "results": {
            "output_0": {
                "uid": "output_0",
                "status": "fail",
                "type": "table",
                "properties": {"method": "crosstab"},
                "files": [entry(names[0])],
                "outcome": {
                    "men": {"North": "ok", "South": "ok"},
                    "women": {"North": "threshold; p-ratio; ", "South": "ok"},
                },
                "command": "acro.crosstab(df.region, df.sex)",
                "summary": "fail; threshold: 1 cells may need suppressing; ",
                "timestamp": "2024-01-01T10:00:00",
                "comments": ["Counts of people by region and sex."],
                "exception": "The small cell is a published national figure.",
            },
            "output_1": {
                "uid": "output_1",
                "status": "pass",
                "type": "regression",
                "properties": {"method": "ols", "dof": 40},
                "files": [entry(names[1])],
                "outcome": {},
                "command": "acro.ols(y, x)",
                "summary": "pass; dof=40.0 >= 10",
                "timestamp": "2024-01-01T10:01:00",
                "comments": [],
                "exception": "",
            },
        },
    }


def acro_zip(
    version="0.4.11",
    *,
    files=None,
    data=None,
    raw_results=None,
    tamper=None,
    extra=None,
    folder="outputs/",
):
    """A zip of an ACRO output folder; ``tamper`` names a file whose bytes change after the
    checksums were taken, ``extra`` adds members as they are."""
    files = dict(files or {"output_0_0.csv": TABLE, "output_1_0.csv": REGRESSION})
    data = data if data is not None else results(version, files=files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        results_bytes = raw_results if raw_results is not None else json.dumps(data).encode()
        archive.writestr(f"{folder}results.json", results_bytes)
        for name, content in files.items():
            if not version.startswith("1."):
                archive.writestr(f"{folder}checksums/{name}.txt", sha256(content))
            if name == tamper:
                content = content.replace(b"4", b"5")
            archive.writestr(f"{folder}{name}", content)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    buffer.seek(0)
    return buffer
