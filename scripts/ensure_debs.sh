#!/usr/bin/env bash
# Installs the named Debian packages when they are missing. As root it uses apt; otherwise it
# says what to install. Under CI=true a package that cannot be installed fails the run.
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# nodejs/npm may come from elsewhere (nvm, NodeSource): a node and an npm on PATH are enough.
if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
  kept=()
  for pkg in ${missing[@]+"${missing[@]}"}; do
    [ "$pkg" = nodejs ] || [ "$pkg" = npm ] || kept+=("$pkg")
  done
  missing=(${kept[@]+"${kept[@]}"})
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  [ "${CI:-}" = "true" ] && exit 1
  exit 0
fi
