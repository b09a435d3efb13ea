#!/usr/bin/env bash
# Print the path of a Python 3.12+ interpreter, or explain what to install and fail.
set -euo pipefail
candidates=()
command -v python3 >/dev/null 2>&1 && candidates+=("$(command -v python3)")
for name in python3.13 python3.12 python3.14; do
  command -v "$name" >/dev/null 2>&1 && candidates+=("$(command -v "$name")")
done
if command -v pyenv >/dev/null 2>&1; then
  root="$(pyenv root)"
  for dir in "$root"/versions/3.1[2-9]*; do
    [ -x "$dir/bin/python3" ] && candidates+=("$dir/bin/python3")
  done
fi
for py in "${candidates[@]}"; do
  if "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$py"
    exit 0
  fi
done
echo "This project needs Python 3.12 or newer (Django 6.1 does not run on older versions)." >&2
echo "Install one, e.g. 'pyenv install 3.13' or your system's python3.13 package, and try again." >&2
exit 1
