"""Batch import: an oversight office loads its departments' published reports for one
year at once, a ZIP of them or several files, as a background job.

A request only stores the files (``ImportFile``) and enqueues ``run_import_job`` on
django-tasks; each file then goes through ``import_bytes``, the path of every other
import, matched to an agency beneath the office by the name in its title. A name that
matches no agency or several waits for a person to choose (``assign``); nothing is ever
imported into an agency made up from a title.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from reports.io.archive import ArchiveRefused, open_zip
from reports.io.errors import ImportRefused
from reports.io.imports import MAX_UPLOAD_BYTES, AgencyUnresolved, import_bytes
from reports.models import Agency, FileStatus, ImportFile, ImportJob, JobStatus

logger = logging.getLogger(__name__)

MAX_FILES = 300
# Entries of a ZIP besides the files: folders, __MACOSX companions.
MAX_ENTRIES = 3 * MAX_FILES
MAX_BATCH_BYTES = 100 * 1024 * 1024  # all files of one batch, unpacked
SKIPPED_PREFIXES = ("__MACOSX/", ".")


class BatchError(ValueError):
    """The upload cannot become a batch; ``str()`` says why, in Chinese."""


@dataclass
class Upload:
    name: str
    data: bytes


def _zip_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as the person who zipped it sees it: Windows' zip tools write
    GBK names without the UTF-8 flag, which Python reads as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def unpack(uploads: list[Upload]) -> list[Upload]:
    """The files of the upload: each file, and each file inside a ZIP (one level)."""
    files: list[Upload] = []
    total = 0
    for upload in uploads:
        if not upload.data.startswith(b"PK\x03\x04") or not upload.name.lower().endswith(".zip"):
            files.append(upload)
            total += len(upload.data)
            continue
        try:
            # Judged by its directory first: the number of entries and the size they
            # unpack to, before any is read.
            archive = open_zip(upload.data, max_unpacked=MAX_BATCH_BYTES, max_members=MAX_ENTRIES)
        except ArchiveRefused as exc:
            raise BatchError(f"压缩包“{upload.name}”：{exc}") from None
        except zipfile.BadZipFile:
            raise BatchError(f"压缩包“{upload.name}”已损坏，无法打开。") from None
        with archive:
            for info in archive.infolist():
                name = _zip_name(info)
                base = PurePosixPath(name.replace("\\", "/")).name
                if info.is_dir() or name.startswith(SKIPPED_PREFIXES) or base.startswith("."):
                    continue
                if info.file_size > MAX_UPLOAD_BYTES:
                    # Kept as a file too large (import_bytes names the limit), from
                    # its first bytes only: never unpacked whole.
                    with archive.open(info) as member:
                        files.append(Upload(base, member.read(MAX_UPLOAD_BYTES + 1)))
                    continue
                total += info.file_size
                if total > MAX_BATCH_BYTES:
                    raise BatchError(
                        f"解压后超过{MAX_BATCH_BYTES // 1024 // 1024} MB，请分批上传。"
                    )
                files.append(Upload(base, archive.read(info)))
        if len(files) > MAX_FILES:
            break
    if len(files) > MAX_FILES:
        raise BatchError(f"一次最多导入{MAX_FILES}个文件，请分批上传。")
    if not files:
        raise BatchError("没有可导入的文件。")
    return files


def start_job(year: int, agency: Agency, user: Any, uploads: list[Upload]) -> ImportJob:
    files = unpack(uploads)
    with transaction.atomic():
        job = ImportJob.objects.create(
            year=year, agency=agency, requested_by=user, total=len(files)
        )
        ImportFile.objects.bulk_create(
            ImportFile(job=job, position=i, name=f.name[:255], content=f.data)
            for i, f in enumerate(files)
        )
        # Enqueue after commit so that a worker never looks for a job not yet saved.
        transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    return job


def import_file(job: ImportJob, file: ImportFile) -> None:
    """Import one file of the batch and record what became of it."""
    data = bytes(file.content or b"")
    file.candidates.clear()
    try:
        result = import_bytes(
            data,
            file.name,
            job.requested_by,
            within=job.agency,
            chosen=file.agency,
            year=job.year,
        )
    except AgencyUnresolved as unresolved:
        file.status = FileStatus.NEEDS_AGENCY
        file.agency_name = unresolved.name[:200]
        file.message = str(unresolved)
        file.save()
        file.candidates.set(unresolved.candidates)
        return
    except ImportRefused as refused:
        file.status = FileStatus.REFUSED
        file.message = "\n".join(f.message for f in refused.findings[:10])
        file.content = None
    except Exception as exc:  # one bad file must not stop the batch
        logger.exception("import of %s in job %s failed", file.name, job.pk)
        file.status = FileStatus.REFUSED
        file.message = f"读取时发生错误：{type(exc).__name__}"
        file.content = None
    else:
        report = result.report
        warnings = [f for f in result.findings + result.notes if f.severity != "info"]
        file.report = report
        file.agency = report.agency
        file.title = report.title[:300]
        file.findings_count = len(warnings)
        file.to_check_count = result.to_check
        file.status = FileStatus.TO_CHECK if warnings or result.to_check else FileStatus.IMPORTED
        file.message = result.agency_note
        file.content = None
    file.save()


def assign(file: ImportFile, agency: Agency) -> None:
    """A person chose the agency of a file whose title matched none or several: import
    it again into that one."""
    with transaction.atomic():
        file.agency = agency
        file.status = FileStatus.PENDING
        file.message = ""
        file.save(update_fields=["agency", "status", "message"])
        ImportJob.objects.filter(pk=file.job_id).update(status=JobStatus.QUEUED, finished_at=None)
        transaction.on_commit(lambda: run_import_job.enqueue(file.job_id))


@task()
def run_import_job(job_id: int) -> None:
    job = ImportJob.objects.select_related("agency", "requested_by").get(pk=job_id)
    pending = list(job.files.filter(status=FileStatus.PENDING).select_related("agency"))
    done = job.files.exclude(status=FileStatus.PENDING).count()
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        progress=done,
        heartbeat_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    for file in pending:
        import_file(job, file)
        done += 1
        ImportJob.objects.filter(pk=job.pk).update(progress=done, heartbeat_at=timezone.now())
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, error="", progress=done, finished_at=timezone.now()
    )
