"""The kinds of file the service accepts, each recognised by its content, never its name.

A kind is registered with a detector: a function given the file's first bytes and the open
file, answering whether the content is that kind. A detector may instead raise
``ValidationError`` when the content is that kind but cannot be accepted, to say why. Apps add
a kind by calling ``register`` (output checking, say, for spreadsheets) and then name it in
``allowed``.
"""

import csv
import io
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

# Enough of the start of a file for every signature here, and for sniffing text.
HEAD_BYTES = 8192


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    extension: str
    content_type: str
    detect: object
    article: str = "a"


KINDS = {}


def register(name, *, label, extension, content_type, article="a"):
    """Decorator: register ``detect(head, file) -> bool`` as the detector of kind ``name``.

    ``article`` is the one read before the label: "an SVG image".
    """

    def decorator(detect):
        KINDS[name] = Kind(name, label, extension, content_type, detect, article)
        return detect

    return decorator


def _image_opens(file, expected_format):
    # A signature alone is a few bytes anyone can forge; Pillow reads the structure.
    file.seek(0)
    try:
        with Image.open(file) as image:
            if image.format != expected_format:
                return False
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
    finally:
        file.seek(0)
    return True


def _text(head):
    """The head decoded as UTF-8 text, or None when it is binary."""
    if b"\x00" in head:
        return None
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # The head may end part-way through a character.
        if error.start >= len(head) - 3:
            return head[: error.start].decode("utf-8-sig", errors="strict")
        return None


@register("pdf", label="PDF", extension="pdf", content_type="application/pdf")
def detect_pdf(head, file):
    return head.startswith(b"%PDF-")


@register("png", label="PNG", extension="png", content_type="image/png")
def detect_png(head, file):
    guess = filetype.guess(head)
    return guess is not None and guess.extension == "png" and _image_opens(file, "PNG")


@register("jpeg", label="JPEG", extension="jpg", content_type="image/jpeg")
def detect_jpeg(head, file):
    guess = filetype.guess(head)
    return guess is not None and guess.extension == "jpg" and _image_opens(file, "JPEG")


@register(
    "xlsx",
    label="Excel spreadsheet (XLSX)",
    article="an",
    extension="xlsx",
    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
def detect_xlsx(head, file):
    guess = filetype.guess(head)
    return guess is not None and guess.extension == "xlsx"


@register("txt", label="plain text file", extension="txt", content_type="text/plain")
def detect_txt(head, file):
    return filetype.guess(head) is None and _text(head) is not None


@register("csv", label="CSV", extension="csv", content_type="text/csv")
def detect_csv(head, file):
    text = _text(head) if filetype.guess(head) is None else None
    if not text or not text.strip():
        return False
    lines = text.splitlines()
    if len(lines) > 1:
        lines = lines[:-1]  # the last line of the head may be cut short
    try:
        rows = list(csv.reader(io.StringIO("\n".join(lines))))
    except csv.Error:
        return False
    widths = {len(row) for row in rows if row}
    return len(widths) == 1 and widths.pop() > 1


# Elements that run code, or hold a document that may: scripts, SVG 1.2's event handlers and
# listeners, and HTML brought in through a foreign object or an embedding.
_SVG_CODE_ELEMENTS = {"script", "foreignobject", "handler", "listener", "iframe", "embed", "object"}
# Attributes naming what a link or an animation points at.
_SVG_LINK_ATTRIBUTES = {"href", "src", "values", "to", "from", "by"}
_SCRIPT_URL = re.compile(r"(java|vb)script:")
# A data: link may hold a picture; any other type (HTML, SVG, a script) may run code.
_DATA_URL = re.compile(r"data:(?!image/(png|jpeg|jpg|gif|webp)[;,])")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def svg_code(root):
    """What in the parsed SVG ``root`` could run code when the image is opened, in words, or
    "" when nothing could."""
    for element in root.iter():
        tag = _local(element.tag)
        if tag.lower() in _SVG_CODE_ELEMENTS:
            return f"a <{tag}> element"
        for name, value in element.attrib.items():
            attribute = _local(name)
            if attribute.lower().startswith("on"):
                return f"an event handler ({attribute})"
            # Browsers ignore spaces and control characters inside a URL's scheme.
            url = _URL_NOISE.sub("", value).lower()
            if attribute.lower() == "attributename" and url.startswith("on"):
                return f"an animation of an event handler ({value.strip()})"
            if _SCRIPT_URL.search(url):
                return "a javascript: link"
            if attribute.lower() in _SVG_LINK_ATTRIBUTES and _DATA_URL.search(url):
                return "a data: link to something other than a PNG, JPEG, GIF or WebP picture"
    return ""


@register("svg", label="SVG image", extension="svg", content_type="image/svg+xml", article="an")
def detect_svg(head, file):
    """An SVG document with nothing in it that could run code.

    Read whole (it is already within the size limit): the root element is the only sure sign.
    A document type declaration is refused outright, since SVG needs none and entity tricks
    (expansion bombs, external entities) all start there. An SVG that could run code (a script,
    an event handler, a javascript: or non-picture data: link, a foreign object, a stylesheet
    instruction, which may transform it into a page with scripts) is refused with the reason.
    Downloads are attachments under a sandboxing content security policy as well; this keeps
    such a file from being stored at all.
    """
    if filetype.guess(head) is not None or _text(head) is None:
        return False
    file.seek(0)
    data = file.read()
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        file.seek(0)
        return False
    try:
        # No declaration means no entities to expand or fetch.
        root = ElementTree.fromstring(data)  # noqa: S314
    except (ElementTree.ParseError, ValueError):
        return False
    finally:
        file.seek(0)
    if _local(root.tag) != "svg":
        return False
    # The parser drops processing instructions, so look for this one in the bytes.
    code = "an xml-stylesheet instruction" if b"<?XML-STYLESHEET" in data.upper() else ""
    code = code or svg_code(root)
    if code:
        raise ValidationError(
            "The selected SVG image contains %(code)s, which can run code, so it cannot be "
            "accepted. Save the image without it, or as a PNG",
            code="svg_code",
            params={"code": code},
        )
    return True


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def describe(names):
    """Kinds in words for a message, with the first one's article: "a PDF, PNG or JPEG"."""
    names = list(names)
    labels = [KINDS[name].label for name in names]
    listed = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]
    return f"{KINDS[names[0]].article} {listed}"
