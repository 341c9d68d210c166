import hashlib
import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from outputs.acro import load_acro, read_acro
from tests.outputs.acro_zips import TABLE, acro_zip, results


@pytest.mark.parametrize("version", ["0.4.11", "1.0.0"])
def test_acro_read_carries_status_flags_comments_and_exception(version):
    folder = read_acro(acro_zip(version))

    table, regression = folder.outputs[:2]
    assert folder.version == version
    assert table.uid == "output_0"
    assert table.status == "fail"
    assert table.flagged_cells == {"threshold": [[0, 1]], "p-ratio": [[0, 1]]}
    assert table.comments == "Counts of people by region and sex."
    assert table.exception == "The small cell is a published national figure."
    assert [file.name for file in table.files] == ["output_0_0.csv"]
    assert table.files[0].content == TABLE
    assert table.checksums_verified
    assert regression.status == "pass"
    assert regression.flagged_cells == {}


def test_acro_read_flags_from_sdc_cells_without_outcome_table():
    data = results()
    record = data["results"]["output_0"]
    record["outcome"] = {}
    record["files"][0]["sdc"]["cells"] = {"threshold": [[1, 2], [0, 1]], "nk-rule": []}

    folder = read_acro(acro_zip(data=data))

    assert folder.outputs[0].flagged_cells == {"threshold": [[1, 2], [0, 1]]}


def test_acro_read_directory(tmp_path):
    with zipfile.ZipFile(acro_zip("0.4.11")) as archive:
        archive.extractall(tmp_path)

    folder = read_acro(tmp_path / "outputs")

    assert [output.uid for output in folder.outputs] == ["output_0", "output_1"]


@pytest.mark.parametrize("version", ["0.4.11", "1.0.0"])
def test_acro_read_tampered_file_refused(version):
    with pytest.raises(ValidationError) as error:
        read_acro(acro_zip(version, tamper="output_0_0.csv"))

    assert "output_0_0.csv does not match its checksum" in " ".join(error.value.messages)


def test_acro_read_malformed_json_refused():
    with pytest.raises(ValidationError) as error:
        read_acro(acro_zip(raw_results=b'{"version": "0.4.11", "results": '))

    assert "not valid JSON" in error.value.messages[0]


def test_acro_read_unknown_version_refused():
    with pytest.raises(ValidationError) as error:
        read_acro(acro_zip(data={**results(), "version": "0.2.0"}))

    assert "version 0.2.0" in error.value.messages[0]
    assert "0.4 and 1.0" in error.value.messages[0]


def test_acro_read_missing_version_refused():
    data = results()
    del data["version"]

    with pytest.raises(ValidationError) as error:
        read_acro(acro_zip(data=data))

    assert "which version" in error.value.messages[0]


def test_acro_read_missing_file_refused():
    data = results()
    data["results"]["output_1"]["files"] = [{"name": "gone.csv"}]

    with pytest.raises(ValidationError) as error:
        read_acro(acro_zip(data=data))

    assert "gone.csv is listed in results.json but is not in the folder" in " ".join(
        error.value.messages
    )


def test_acro_read_path_traversal_in_zip_refused():
    with pytest.raises(ValidationError) as error:
        read_acro(acro_zip(extra={"../../etc/cron.d/evil": b"x"}))

    assert "outside the folder" in error.value.messages[0]


def test_acro_read_path_traversal_in_results_refused():
    data = results("1.0.0")
    data["results"]["output_1"]["files"] = [{"name": "../secret.csv"}]

    with pytest.raises(ValidationError) as error:
        read_acro(acro_zip("1.0.0", data=data))

    assert "outside the folder" in error.value.messages[0]


def test_acro_read_not_a_zip_refused():
    with pytest.raises(ValidationError) as error:
        read_acro(io.BytesIO(b"not a zip at all"))

    assert "could not be opened" in error.value.messages[0]


def test_acro_read_without_results_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("table.csv", TABLE)
    buffer.seek(0)

    with pytest.raises(ValidationError) as error:
        read_acro(buffer)

    assert "no results.json" in error.value.messages[0]


def test_acro_read_too_many_files_refused(settings):
    settings.ACRO_ZIP_MAX_FILES = 2

    with pytest.raises(ValidationError) as error:
        read_acro(acro_zip())

    assert "at most 2" in error.value.messages[0]


def test_acro_read_large_zip_refused(settings, tmp_path):
    settings.ACRO_ZIP_MAX_BYTES = 100
    path = tmp_path / "outputs.zip"
    path.write_bytes(acro_zip().getvalue())

    with pytest.raises(ValidationError) as error:
        read_acro(path)

    assert "smaller than" in error.value.messages[0]


def test_acro_load_keeps_tampering_as_problem():
    folder = load_acro(acro_zip(tamper="output_0_0.csv"))

    assert not folder.outputs[0].checksums_verified
    assert folder.outputs[1].checksums_verified


def test_acro_summary_prints_json(tmp_path, capsys):
    path = tmp_path / "outputs.zip"
    path.write_bytes(acro_zip("1.0.0", tamper="output_0_0.csv").getvalue())

    call_command("acro_summary", str(path))

    summary = json.loads(capsys.readouterr().out)
    assert summary == {
        "output_0": {
            "status": "fail",
            "files": ["output_0_0.csv"],
            "flagged_cells": {"threshold": 1, "p-ratio": 1},
            "checksums_verified": False,
            "for_release": True,
        },
        "output_1": {
            "status": "pass",
            "files": ["output_1_0.csv"],
            "flagged_cells": {},
            "checksums_verified": True,
            "for_release": True,
        },
        "output_2": {
            "status": "review",
            "files": ["DO_NOT_RELEASE_session_summary.csv"],
            "flagged_cells": {},
            "checksums_verified": True,
            "for_release": False,
        },
    }


def test_acro_summary_unreadable_folder_fails(tmp_path):
    path = tmp_path / "outputs.zip"
    path.write_bytes(acro_zip(raw_results=b"not json").getvalue())

    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("acro_summary", str(path))


def test_acro_read_1_0_marks_the_session_summary_not_for_release():
    folder = read_acro(acro_zip("1.0.0"))

    assert [(output.uid, output.for_release) for output in folder.outputs] == [
        ("output_0", True),
        ("output_1", True),
        ("output_2", False),
    ]


def test_acro_read_trusts_only_the_checksums_folder_not_a_sha256_in_results_json():
    # ACRO keeps checksums in checksums/<name>.txt only; a "sha256" written into results.json
    # to match a changed file must not make that file pass.
    changed = TABLE.replace(b"4", b"5")
    data = results("1.0.0")
    data["results"]["output_0"]["files"][0]["sha256"] = hashlib.sha256(changed).hexdigest()

    with pytest.raises(ValidationError) as error:
        read_acro(acro_zip("1.0.0", data=data, tamper="output_0_0.csv"))

    assert "output_0_0.csv does not match its checksum" in " ".join(error.value.messages)


def test_acro_read_file_without_checksum_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(acro_zip("0.4.11")) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            if info.filename != "outputs/checksums/output_1_0.csv.txt":
                target.writestr(info, source.read(info))
    buffer.seek(0)

    with pytest.raises(ValidationError) as error:
        read_acro(buffer)

    assert "output_1_0.csv has no SHA-256 checksum" in " ".join(error.value.messages)
