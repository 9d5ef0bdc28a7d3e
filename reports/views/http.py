"""What every view shares: the signed-in request, and sending files (one way to name
them and to say what they are)."""

from __future__ import annotations

import io

from django.http import FileResponse, HttpRequest

from reports.models import User


class AuthedRequest(HttpRequest):
    """The request of a view behind ``login_required``: its user is signed in."""

    user: User


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
}


def attachment(data: bytes, filename: str) -> FileResponse:
    """``data`` as a download called ``filename`` (a Chinese name is sent the way every
    browser reads it, RFC 6266's ``filename*``); the extension says the content type."""
    extension = filename.rsplit(".", 1)[-1].lower()
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=filename,
        content_type=CONTENT_TYPES[extension],
    )
