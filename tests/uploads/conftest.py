import io

import pytest
from PIL import Image


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def image_bytes(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, format=fmt)
    return buffer.getvalue()
