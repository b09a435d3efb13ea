#!/usr/bin/env bash
# Install the Debian packages the tests need, where missing: PostgreSQL (tests run on it
# too), Chromium (browser tests), LibreOffice Writer (combined PDF letters) and GNU gettext
# (the translation catalog: make messages and its test).
set -euo pipefail
need=()
{ command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; } || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
{ command -v msgfmt && command -v xgettext; } >/dev/null 2>&1 || need+=(gettext)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages: ${need[*]}; install them as root (apt-get install ${need[*]})." >&2
  exit 1
fi
echo "Installing ${need[*]} ..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
