#!/usr/bin/env bash
# Creates one role and one database per service, each role owning its database and no other role
# allowed to connect to it, as the embedded server of `npm start` does. The official PostgreSQL
# image runs this once, on an empty data directory, from /docker-entrypoint-initdb.d (compose.yaml
# mounts it there; the dev Kubernetes overlay mounts it from a ConfigMap made by the
# kustomization.yaml beside it). Each role's password comes from <SERVICE>_DB_PASSWORD; a missing
# one stops the initialisation, so the server never starts half made.
set -euo pipefail

for service in products inventory favorites cart; do
  variable="${service^^}_DB_PASSWORD"
  password="${!variable:-}"
  if [ -z "$password" ]; then
    echo "$variable is not set: cannot create the $service role" >&2
    exit 1
  fi
  # psql fills in :"name" and :'password' itself, quoted as an identifier and as a literal.
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    --set=name="$service" --set=password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"name" TO :"name";
SQL
done
