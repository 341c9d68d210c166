"""ACRO output folders as ACRO writes them (``Records.finalise_json`` and ``write_checksums``),
built for tests: each file's SHA-256 in ``checksums/<name>.txt``, results.json's included. The
1.0 folders also carry what newer ACRO adds: a top-level ``session_summary`` and a custom
output, ``DO_NOT_RELEASE_session_summary.csv``, for output checkers only."""

import hashlib
import io
import json
import zipfile

TABLE = b",men,women\nNorth,12,4\nSouth,25,30\n"
REGRESSION = b",coef\nage,0.3\n"
SESSION_SUMMARY_NAME = "DO_NOT_RELEASE_session_summary.csv"
SESSION_SUMMARY = b"id,method,status\noutput_0,crosstab,fail\noutput_1,ols,pass\n"


def sha256(content):
    return hashlib.sha256(content).hexdigest()


def results(version="0.4.11", *, files=None):
    """results.json for two outputs: a table with one cell under the threshold, a regression."""
    files = files or {"output_0_0.csv": TABLE, "output_1_0.csv": REGRESSION}
    names = list(files)

    def entry(name):
        return {"name": name, "sdc": {"summary": {"suppressed": False}, "cells": {}}}

    data = {
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
    if version.startswith("1."):
        data["results"]["output_2"] = {
            "uid": "output_2",
            "status": "review",
            "type": "custom",
            "properties": {},
            "files": [{"name": SESSION_SUMMARY_NAME, "sdc": {}}],
            "outcome": {},
            "command": "custom",
            "summary": "review",
            "timestamp": "2024-01-01T10:02:00",
            "comments": ["WARNING: DO NOT RELEASE - Session summary for output checker use only"],
            "exception": "",
        }
        data["session_summary"] = {
            "DO_NOT_RELEASE": True,
            "purpose": "Session summary for output checker use only",
            "data": [{"id": "output_0", "status": "fail"}, {"id": "output_1", "status": "pass"}],
        }
    return data


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
    if version.startswith("1."):
        files[SESSION_SUMMARY_NAME] = SESSION_SUMMARY
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        results_bytes = raw_results if raw_results is not None else json.dumps(data).encode()
        archive.writestr(f"{folder}results.json", results_bytes)
        archive.writestr(f"{folder}checksums/results.json.txt", sha256(results_bytes))
        for name, content in files.items():
            archive.writestr(f"{folder}checksums/{name}.txt", sha256(content))
            if name == tamper:
                content = content.replace(b"4", b"5")
            archive.writestr(f"{folder}{name}", content)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    buffer.seek(0)
    return buffer


def acro_bomb(size, *, outputs, name="big.csv"):
    """A small zip whose results.json lists one entry of ``size`` zero bytes, deflated to a
    sliver of that, as the file of each of ``outputs`` outputs; its checksum is right."""
    digest = hashlib.sha256()
    zeros = bytes(1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(f"outputs/{name}", "w", force_zip64=True) as target:
            left = size
            while left:
                piece = zeros[: min(left, len(zeros))]
                target.write(piece)
                digest.update(piece)
                left -= len(piece)
        archive.writestr(f"outputs/checksums/{name}.txt", digest.hexdigest())
        data = {
            "version": "0.4.11",
            "results": {
                f"output_{n}": {
                    "uid": f"output_{n}",
                    "status": "pass",
                    "type": "table",
                    "files": [{"name": name}],
                    "outcome": {},
                }
                for n in range(outputs)
            },
        }
        archive.writestr("outputs/results.json", json.dumps(data))
    buffer.seek(0)
    return buffer
