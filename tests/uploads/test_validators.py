import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.uploads.conftest import image_bytes
from uploads.storage import PrivateUploadTo
from uploads.validators import sanitise_name, validate_upload

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
# The start of a Windows program: "MZ", then the DOS stub.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
EVIDENCE = {"pdf", "png", "jpeg"}


def upload(data, name):
    return SimpleUploadedFile(name, data)


def test_validate_upload_accepts_pdf_by_content():
    result = validate_upload(upload(PDF, "degree.pdf"), allowed=EVIDENCE, max_bytes=1000)

    assert (result.kind, result.extension, result.size) == ("pdf", "pdf", len(PDF))
    assert result.original_name == "degree.pdf"
    assert re.fullmatch(r"[0-9a-f]{64}", result.sha256)


@pytest.mark.parametrize(("fmt", "kind"), [("PNG", "png"), ("JPEG", "jpeg")])
def test_validate_upload_accepts_images_opened_by_pillow(fmt, kind):
    result = validate_upload(upload(image_bytes(fmt), "scan"), allowed=EVIDENCE, max_bytes=10**6)

    assert result.kind == kind


def test_validate_upload_png_named_pdf_accepted_as_png_when_png_allowed():
    result = validate_upload(upload(image_bytes("PNG"), "certificate.pdf"), allowed=EVIDENCE)

    assert (result.kind, result.extension, result.content_type) == ("png", "png", "image/png")


def test_validate_upload_png_named_pdf_refused_when_only_pdf_allowed():
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(image_bytes("PNG"), "certificate.pdf"), allowed={"pdf"})

    assert error.value.messages == ["The selected file must be a PDF"]


def test_validate_upload_program_renamed_pdf_refused():
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(EXE, "degree.pdf"), allowed=EVIDENCE)

    assert error.value.messages == ["The selected file must be a PDF, PNG or JPEG"]


def test_validate_upload_image_signature_without_an_image_refused():
    forged = image_bytes("PNG")[:16] + b"\x00" * 64

    with pytest.raises(ValidationError):
        validate_upload(upload(forged, "scan.png"), allowed=EVIDENCE)


def test_validate_upload_oversize_refused_with_the_limit_in_words():
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(PDF + b"0" * 2048, "big.pdf"), allowed=EVIDENCE, max_bytes=1024)

    assert error.value.messages == ["The selected file must be smaller than 1.0 KB"]


def test_validate_upload_limit_defaults_to_the_setting(settings):
    settings.UPLOAD_MAX_BYTES = 10

    with pytest.raises(ValidationError) as error:
        validate_upload(upload(PDF, "degree.pdf"), allowed=EVIDENCE)

    assert error.value.code == "too_large"


def test_validate_upload_empty_file_refused():
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(b"", "empty.pdf"), allowed=EVIDENCE)

    assert error.value.messages == ["The selected file is empty"]


def test_validate_upload_csv_and_text_told_apart():
    table = b"region,count\nNorth East,12\nWales,30\n"

    assert validate_upload(upload(table, "t.txt"), allowed={"csv", "txt"}).kind == "csv"
    assert validate_upload(upload(b"Some notes.\n", "n.csv"), allowed={"csv", "txt"}).kind == "txt"


def test_validate_upload_binary_is_not_text():
    with pytest.raises(ValidationError):
        validate_upload(upload(EXE, "notes.txt"), allowed={"txt", "csv"})


def test_validate_upload_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        validate_upload(upload(PDF, "a.pdf"), allowed={"docx"})


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\My degree.pdf", "My degree.pdf"),
        ('evil"name<script>.pdf', "evilnamescript.pdf"),
        ("   ", "file"),
        ("..", "file"),
        ("..\uff0f..\uff0fetc\uff0fpasswd", "passwd"),
        ("\uff0e\uff0e", "file"),
        ("table\t\r\n.csv", "table.csv"),
    ],
)
def test_sanitise_name_keeps_only_a_safe_base_name(given, kept):
    assert sanitise_name(given) == kept


def test_private_upload_to_gives_a_random_private_name_keeping_a_known_extension():
    upload_to = PrivateUploadTo("researchers/evidence")

    first = upload_to(None, "My degree.PDF")
    second = upload_to(None, "My degree.PDF")

    assert re.fullmatch(r"private/researchers/evidence/\d{4}/[0-9a-f]{32}\.pdf", first)
    assert first != second
    assert upload_to(None, "run.exe").rsplit("/", 1)[1].count(".") == 0


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
    b'<rect width="4" height="4"/></svg>'
)


def test_validate_upload_accepts_a_plain_svg():
    assert validate_upload(upload(SVG, "chart.svg"), allowed={"svg", "txt"}).kind == "svg"


def test_validate_upload_accepts_an_svg_with_links_styles_and_an_embedded_picture():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b"<style>.bar { fill: #1d70b8; }</style>"
        b'<a href="https://www.ons.gov.uk/"><rect class="bar" width="4" height="4"/></a>'
        b'<use xlink:href="#bar"/>'
        b'<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>'
        b'<text aria-label="North, data: 2024">North</text></svg>'
    )
    assert validate_upload(upload(svg, "chart.svg"), allowed={"svg"}).kind == "svg"


SVG_OPEN = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'


@pytest.mark.parametrize(
    ("svg", "what"),
    [
        (SVG_OPEN + b"<script>alert(1)</script></svg>", "a <script> element"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
            "an event handler (onload)",
        ),
        (SVG_OPEN + b'<rect width="4" height="4" ONCLICK="alert(1)"/></svg>', "(ONCLICK)"),
        (SVG_OPEN + b'<a href="javascript:alert(1)"><text>x</text></a></svg>', "javascript:"),
        (
            SVG_OPEN + b'<a xlink:href=" JaVa\tScRiPt:alert(1)"><text>x</text></a></svg>',
            "javascript:",
        ),
        (SVG_OPEN + b'<a href="&#106;avascript:alert(1)"><text>x</text></a></svg>', "javascript:"),
        (
            SVG_OPEN + b'<a><set attributeName="href" to="javascript:alert(1)"/>x</a></svg>',
            "javascript:",
        ),
        (
            SVG_OPEN + b'<rect><set attributeName="onclick" to="alert(1)"/></rect></svg>',
            "an animation of an event handler (onclick)",
        ),
        (
            SVG_OPEN
            + b'<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a></svg>',
            "a data: link to something other than a PNG",
        ),
        (
            SVG_OPEN + b'<use href="data:image/svg+xml;base64,PHN2Zy8+"/></svg>',
            "a data: link to something other than a PNG",
        ),
        (
            SVG_OPEN + b"<foreignObject><div xmlns='http://www.w3.org/1999/xhtml'>x</div>"
            b"</foreignObject></svg>",
            "a <foreignObject> element",
        ),
        (
            b'<?xml-stylesheet type="text/xsl" href="page.xsl"?>' + SVG_OPEN + b"</svg>",
            "an xml-stylesheet instruction",
        ),
    ],
)
def test_validate_upload_refuses_an_svg_that_can_run_code_and_says_why(svg, what):
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(svg, "chart.svg"), allowed={"svg", "csv", "txt"})

    (message,) = error.value.messages
    assert message.startswith("The selected SVG image contains ")
    assert what in message
    assert message.endswith(
        "which can run code, so it cannot be accepted. Save the image without it, or as a PNG"
    )


@pytest.mark.parametrize(
    "svg",
    [
        b"<html><body>not an image</body></html>",
        b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
    ],
)
def test_validate_upload_refuses_other_xml_as_svg(svg):
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(svg, "chart.svg"), allowed={"svg"})

    assert error.value.messages == ["The selected file must be an SVG image"]


def _zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_validate_upload_xlsx_by_its_parts_not_a_plain_zip():
    workbook = _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})

    assert validate_upload(upload(workbook, "t.xlsx"), allowed={"xlsx"}).kind == "xlsx"
    with pytest.raises(ValidationError):
        validate_upload(upload(_zip({"a.txt": "x"}), "t.xlsx"), allowed={"xlsx"})
