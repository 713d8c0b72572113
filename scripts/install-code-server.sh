#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100, Node 20) without network access to anything
# but the npm registry and Debian: the workarounds are the tried ones in shared/notes/environment.md.
# Idempotent; cached under ~/.cache/container-dags keyed by version. Prints the entry.js path last.
set -euo pipefail
VERSION=4.100.3
ROOT="${CDAG_CACHE:-$HOME/.cache/container-dags}/code-server-$VERSION"
ENTRY="$ROOT/node_modules/code-server/out/node/entry.js"
if [ -f "$ROOT/.complete" ]; then echo "$ENTRY"; exit 0; fi

need=()
command -v rg >/dev/null || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
GYP="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
# node-gyp would download Node's headers (no such host here): use the installed ones.
NODEDIR=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
[ -d "$NODEDIR/include/node" ] && export npm_config_nodedir="$NODEDIR"
[ -f "$GYP" ] || { npm install -g node-gyp >/dev/null; GYP="$(npm root -g)/node-gyp/bin/node-gyp.js"; }

rm -rf "$ROOT" && mkdir -p "$ROOT" && cd "$ROOT"
echo '{"name":"cs-host","private":true}' > package.json
npm_config_unsafe_perm=true npm install --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$VERSION"
VS="$ROOT/node_modules/code-server/lib/vscode"
(cd "$VS" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
mkdir -p "$VS/node_modules/@vscode/ripgrep/bin" && cp "$(command -v rg)" "$VS/node_modules/@vscode/ripgrep/bin/rg"
# Native addons: compiled here because their install scripts (which would download) were skipped.
find "$VS/node_modules" -name binding.gyp -not -path '*/test/*' -not -path '*/deps/*' | while read -r g; do
  d=$(dirname "$g")
  (cd "$d" && node "$GYP" rebuild ${npm_config_nodedir:+--nodedir="$npm_config_nodedir"} >/dev/null 2>&1) || echo "note: native build skipped in $d"
done
(cd "$VS/extensions" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
[ -e "$VS/node_modules.asar" ] || ln -s node_modules "$VS/node_modules.asar"
# argon2 (password hashing in code-server's CLI) is loaded even with --auth none; its binding.gyp
# needs node-pre-gyp's variables, so it is built through node-pre-gyp.
(cd "$ROOT/node_modules/argon2" && node ../@mapbox/node-pre-gyp/bin/node-pre-gyp rebuild ${npm_config_nodedir:+--nodedir="$npm_config_nodedir"} >/dev/null 2>&1) \
  || { echo "argon2 did not build; code-server cannot start without it" >&2; exit 1; }
# A missing addon fails quietly at run time (no output channel text without spdlog): check them now.
for addon in @vscode/spdlog/build/Release/spdlog.node node-pty/build/Release/pty.node; do
  [ -f "$VS/node_modules/$addon" ] || { echo "native addon $addon did not build" >&2; exit 1; }
done
[ -f "$ROOT/node_modules/argon2/lib/binding/napi-v3/argon2.node" ] || { echo "argon2 did not build" >&2; exit 1; }
touch "$ROOT/.complete"
echo "$ENTRY"
