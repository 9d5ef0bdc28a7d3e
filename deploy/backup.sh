#!/usr/bin/env bash
# Back up the database and the stored files (generated PDFs, uploads) into one directory.
#
#   DATABASE_URL=postgres://... MEDIA_ROOT=/srv/goireport/media deploy/backup.sh /backups/2025-01-31
#
# The database is dumped with pg_dump in its custom format (consistent snapshot, taken
# while the site runs); MEDIA_ROOT is archived with tar. A checksum file lets the restore
# verify both before touching anything.
set -euo pipefail
dest="${1:?usage: backup.sh DIRECTORY}"
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
: "${MEDIA_ROOT:?MEDIA_ROOT must name the stored-files directory}"
mkdir -p "$dest"
pg_dump --format=custom --no-owner --no-privileges --file "$dest/db.dump" "$DATABASE_URL"
mkdir -p "$MEDIA_ROOT"
tar -C "$MEDIA_ROOT" -czf "$dest/media.tar.gz" .
(cd "$dest" && sha256sum db.dump media.tar.gz > SHA256SUMS)
echo "backup written to $dest"
