"""ZIP files from outside (XLSX, DOCX, a batch of reports), judged by their central
directory before a single member is decompressed.

The directory gives each member's size as it will be unpacked, and Python's zipfile
never hands over more than that size of a member (it stops and reports a damaged
file), so checking the sum and the number of members here bounds the memory any later
reading takes, whatever the compressed size: a zip bomb is refused for what it claims
to hold, without being opened.
"""

from __future__ import annotations

import io
import zipfile

MAX_MEMBERS = 1000  # an XLSX has about 15, a DOCX about 20, a batch at most 300 files
# A member expanding more than this many times is a bomb, not an Office file (XML of
# repetitive tables compresses to about a tenth).
MAX_RATIO = 200


class ArchiveRefused(ValueError):
    """The ZIP cannot be read safely; ``str()`` says why, in Chinese."""


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def open_zip(data: bytes, *, max_unpacked: int, max_members: int = MAX_MEMBERS) -> zipfile.ZipFile:
    """The archive, after its directory was checked: at most ``max_members`` members,
    at most ``max_unpacked`` bytes unpacked, and no member expanding beyond MAX_RATIO.
    Raises zipfile.BadZipFile for what is not a ZIP and ArchiveRefused for the rest."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    try:
        members = archive.infolist()
        if len(members) > max_members:
            raise ArchiveRefused(f"压缩文件包含{len(members)}个条目，超过上限{max_members}个。")
        unpacked = sum(m.file_size for m in members)
        if unpacked > max_unpacked:
            raise ArchiveRefused(
                f"文件解压后为{_mb(unpacked)}，超过上限{_mb(max_unpacked)}，已拒绝。"
            )
        for m in members:
            if m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
                raise ArchiveRefused("文件中有异常的高压缩比内容（可能是压缩炸弹），已拒绝。")
    except ArchiveRefused:
        archive.close()
        raise
    return archive
