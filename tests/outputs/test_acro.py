import hashlib
import io
import json
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from outputs.check.acro import load_acro, read_acro
from tests.outputs.acro_zips import TABLE, acro_bomb, acro_zip, results

MB = 1024 * 1024


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
    assert table.files[0].read() == TABLE
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


def refused_with_peak_memory(source):
    """The refusal ``read_acro`` gives ``source``, and the most memory it held meanwhile."""
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as error:
            read_acro(source)
        return error.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_acro_read_refuses_a_file_over_the_limit_before_unpacking_it(settings):
    # A zip of a few kilobytes that unpacks to 32 MB, listed by ten outputs.
    settings.OUTPUT_FILE_MAX_BYTES = 1 * MB
    bomb = acro_bomb(32 * MB, outputs=10)

    error, peak = refused_with_peak_memory(bomb)

    assert error.messages == [
        "“outputs/big.csv” in the ACRO folder is 32.0 MB once unpacked, and at most 1.0 MB "
        "is accepted, so the folder was refused."
    ]
    assert peak < 4 * settings.OUTPUT_FILE_MAX_BYTES


def test_acro_read_refuses_one_file_listed_by_many_outputs(settings):
    settings.OUTPUT_FILE_MAX_BYTES = 1 * MB
    bomb = acro_bomb(1 * MB, outputs=50)

    error, peak = refused_with_peak_memory(bomb)

    assert error.messages == [
        "The ACRO results.json lists “big.csv” more than once; each file belongs to one output "
        "only, so the folder was refused."
    ]
    assert peak < 4 * settings.OUTPUT_FILE_MAX_BYTES


def test_acro_read_directory_refuses_a_file_over_the_limit(settings, tmp_path):
    settings.OUTPUT_FILE_MAX_BYTES = 1 * MB
    with zipfile.ZipFile(acro_bomb(2 * MB, outputs=1)) as archive:
        archive.extractall(tmp_path)

    with pytest.raises(ValidationError) as error:
        read_acro(tmp_path / "outputs")

    assert "“big.csv” in the ACRO folder is 2.0 MB once unpacked" in error.value.messages[0]


def test_acro_read_keeps_no_file_in_memory_once_checked(settings):
    settings.OUTPUT_FILE_MAX_BYTES = 2 * MB
    tracemalloc.start()
    try:
        folder = read_acro(acro_bomb(2 * MB, outputs=1))
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    (file,) = folder.outputs[0].files
    assert file.verified
    assert held < MB
    assert peak < 2 * settings.OUTPUT_FILE_MAX_BYTES
    assert file.read() == bytes(2 * MB)


def test_acro_read_refuses_more_outputs_than_accepted(settings):
    settings.ACRO_ZIP_MAX_FILES = 3
    data = results()
    data["results"] = {
        f"output_{n}": {"uid": f"output_{n}", "status": "pass", "files": []} for n in range(5)
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("results.json", json.dumps(data))
    buffer.seek(0)

    with pytest.raises(ValidationError) as error:
        read_acro(buffer)

    assert error.value.messages == [
        "The ACRO results.json lists 5 outputs; at most 3 are accepted."
    ]


def test_acro_read_refuses_more_listed_files_than_accepted(settings):
    settings.ACRO_ZIP_MAX_FILES = 3
    data = results()
    data["results"]["output_0"]["files"] = ["a.csv", "b.csv"]
    data["results"]["output_1"]["files"] = ["c.csv", "d.csv"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("results.json", json.dumps(data))
    buffer.seek(0)

    with pytest.raises(ValidationError) as error:
        read_acro(buffer)

    assert error.value.messages == [
        "The ACRO results.json lists more than the 3 files accepted at most."
    ]


def test_acro_read_refuses_a_results_json_over_its_own_limit(settings):
    settings.ACRO_RESULTS_MAX_BYTES = 100

    with pytest.raises(ValidationError) as error:
        read_acro(acro_zip())

    assert "“outputs/results.json” in the ACRO folder is" in error.value.messages[0]
    assert "at most 100 bytes is accepted, so the folder was refused." in error.value.messages[0]


def test_acro_read_refuses_a_long_list_of_contents_before_parsing_it(settings):
    settings.ACRO_ZIP_MAX_FILES = 10
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(20_000):
            archive.writestr(f"{n}", b"")
    buffer.seek(0)

    error, peak = refused_with_peak_memory(buffer)

    assert peak < MB
    assert error.messages == ["The ACRO zip holds more files than the 10 accepted at most."]


def test_acro_read_refuses_results_nested_deeper_than_acro_writes():
    # Deep enough to make code reading it recurse towards the limit, shallow enough to parse.
    data = results()
    nested = []
    for _ in range(500):
        nested = [nested]
    data["results"]["output_0"]["summary"] = nested

    with pytest.raises(ValidationError) as error:
        read_acro(acro_zip(data=data))

    assert error.value.messages == [
        "The ACRO results.json is nested far more deeply than ACRO writes it, so the folder "
        "could not be read."
    ]
