#!/usr/bin/env bash
# Restore a backup made by backup.sh into the database of DATABASE_URL and into MEDIA_ROOT.
#
#   DATABASE_URL=postgres://.../goireport MEDIA_ROOT=/srv/goireport/media deploy/restore.sh /backups/2025-01-31
#
# Stop the app servers (or put the site in maintenance) first. The database must exist
# (createdb); its goireport tables are replaced. Files in MEDIA_ROOT are replaced by the
# backup's.
set -euo pipefail
src="${1:?usage: restore.sh DIRECTORY}"
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
: "${MEDIA_ROOT:?MEDIA_ROOT must name the stored-files directory}"
(cd "$src" && sha256sum --check --quiet SHA256SUMS)
pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error \
  --dbname "$DATABASE_URL" "$src/db.dump"
mkdir -p "$MEDIA_ROOT"
find "$MEDIA_ROOT" -mindepth 1 -delete
tar -C "$MEDIA_ROOT" -xzf "$src/media.tar.gz"
echo "restored $src"
