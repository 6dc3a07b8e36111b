#!/usr/bin/env bash
# Installs what the integration and end-to-end tests need, idempotently: Debian packages (when root),
# then code-server into a cache folder outside node_modules. A second run takes about a second.
# Prints the code-server executable's path as its last line. See /work/shared/recipes/real-vscode.md.
#   RNNLAB_CACHE   cache root (default ~/.cache/rnn-lab); code-server goes to $RNNLAB_CACHE/code-server
set -euo pipefail

CODE_SERVER_VERSION=4.100.3       # VS Code 1.100.3 on Node 20; newer versions need Node 22+
VSCODE_RIPGREP_VERSION=1.15.11    # the @vscode/ripgrep inside that code-server
RIPGREP_RELEASE=v13.0.0-10        # the release that @vscode/ripgrep version fetches

cache_root="${RNNLAB_CACHE:-$HOME/.cache/rnn-lab}"
install_dir="$cache_root/code-server"
code_server="$install_dir/node_modules/.bin/code-server"
marker="$install_dir/.installed-$CODE_SERVER_VERSION"

log() { echo "[install-code-server] $*" >&2; }

# 1. Debian packages: chromium drives the workbench, libkrb5-dev builds code-server's kerberos addon,
#    ripgrep replaces the binary @vscode/ripgrep would download, a compiler builds native addons.
missing=()
for pkg in chromium libkrb5-dev ripgrep; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
for tool in g++ make python3; do
  command -v "$tool" >/dev/null || { missing+=(build-essential python3); break; }
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    log "missing Debian packages: ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})"
    exit 1
  fi
fi

if [ -f "$marker" ] && [ -x "$code_server" ]; then
  echo "$code_server"
  exit 0
fi

# 2. @vscode/ripgrep's postinstall downloads ripgrep from GitHub unless its cache already holds the
#    archive: put Debian's rg there under the name it looks for.
case "$(uname -m)" in
  x86_64) rg_target=x86_64-unknown-linux-musl ;;
  aarch64) rg_target=aarch64-unknown-linux-gnu ;;
  *) log "unsupported machine $(uname -m): expected x86_64 or aarch64"; exit 1 ;;
esac
rg_cache="$(node -p "require('os').tmpdir()")/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION"
rg_archive="$rg_cache/ripgrep-$RIPGREP_RELEASE-$rg_target.tar.gz"
if [ ! -s "$rg_archive" ]; then
  rg_bin="$(command -v rg)" || { log "ripgrep (rg) not found on PATH"; exit 1; }
  mkdir -p "$rg_cache"
  staging="$(mktemp -d)"
  cp "$rg_bin" "$staging/rg"
  tar -czf "$rg_archive.tmp" -C "$staging" rg && mv "$rg_archive.tmp" "$rg_archive"
  rm -rf "$staging"
fi

# 3. code-server in a folder of its own (as a devDependency, npm ci would rebuild its addons each time).
#    npm_config_yes: node-pty's postinstall runs `npx node-gyp`, which would stop to ask.
#    npm_config_unsafe_perm: as root, code-server's postinstall refuses to run without it.
log "installing code-server@$CODE_SERVER_VERSION into $install_dir (about 2 minutes)"
mkdir -p "$install_dir"
rm -f "$install_dir"/.installed-*
[ -f "$install_dir/package.json" ] || echo '{ "name": "rnn-lab-code-server", "private": true }' > "$install_dir/package.json"
(
  cd "$install_dir"
  npm_config_yes=true npm_config_unsafe_perm=true npm_config_fund=false npm_config_audit=false \
    npm install --foreground-scripts "code-server@$CODE_SERVER_VERSION" >&2
)
XDG_CONFIG_HOME="$(mktemp -d)" "$code_server" --version >&2   # a temp config: leave ~/.config alone
touch "$marker"
echo "$code_server"
