#!/usr/bin/env bash
# Builds local stand-ins for the base images the Dockerfiles start FROM, for
# machines that cannot pull from a registry (scripts/container-smoke.sh). Each
# one is imported into podman under the exact FROM name and reused while it
# exists, so only the first run pays for it (about 30 s each).
#
# - node:20-bookworm-slim: Debian bookworm (debootstrap --variant=minbase)
#   with this machine's Node 20 laid out as the official image lays it out
#   (/usr/local/bin/node, npm and corepack under /usr/local/lib/node_modules)
#   and the user `node`, uid/gid 1000.
# - nvidia/cuda:12.6.3-runtime-ubuntu24.04: Debian bookworm minbase with the
#   user `ubuntu`, uid/gid 1000, as on Ubuntu 24.04. No CUDA and no Ubuntu:
#   neither can be fetched here, and the transcode image only needs apt, a
#   Debian-named ffmpeg package and uid 1000 (its GPU paths are probed at
#   start and fall back to the CPU).
#
# Every stand-in carries the label mastercut.stand-in=true; an image of the
# same name without it (a real pull) is never replaced.
#
# Usage: scripts/containers/stand-in-bases.sh [--rebuild]
set -euo pipefail

MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
NODE_IMAGE="docker.io/library/node:20-bookworm-slim"
CUDA_IMAGE="docker.io/nvidia/cuda:12.6.3-runtime-ubuntu24.04"
rebuild=false
[ "${1:-}" = "--rebuild" ] && rebuild=true

log() { echo "stand-in: $*" >&2; }

# True when the image exists and may be kept.
present() {
  local image="$1" label
  podman image exists "$image" || return 1
  label="$(podman image inspect --format '{{ index .Labels "mastercut.stand-in" }}' "$image" 2>/dev/null || true)"
  if [ "$label" != "true" ]; then
    log "$image is a real image (no stand-in label): kept"
    return 0
  fi
  [ "$rebuild" = false ]
}

work="$(mktemp -d /var/tmp/mastercut-stand-in.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# A minimal Debian bookworm tree, made once per run and shared by both stand-ins.
rootfs() {
  if [ ! -d "$work/base" ]; then
    log "debootstrap --variant=minbase bookworm ($MIRROR)"
    debootstrap --variant=minbase bookworm "$work/base" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
      || { tail -n 20 "$work/debootstrap.log" >&2; return 1; }
    # Images ship without apt lists or caches; the Dockerfiles run apt-get update themselves.
    rm -rf "$work/base/var/lib/apt/lists/"* "$work/base/var/cache/apt/"*.bin
    # The sources of the official Debian images: the release, its updates and security.
    rm -f "$work/base/etc/apt/sources.list"
    cat >"$work/base/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: ${MIRROR}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  fi
  rm -rf "$work/tree"
  cp -a "$work/base" "$work/tree"
}

# Imports $work/tree as $1 with the given --change instructions.
import_tree() {
  local image="$1"
  shift
  tar -C "$work/tree" --numeric-owner -cf "$work/tree.tar" .
  podman rmi --force "$image" >/dev/null 2>&1 || true
  podman import --quiet --change 'LABEL mastercut.stand-in=true' "$@" "$work/tree.tar" "$image" >/dev/null
  rm -f "$work/tree.tar"
  log "imported $image"
}

if present "$NODE_IMAGE"; then
  log "$NODE_IMAGE: cached"
else
  node_bin="$(readlink -f "$(command -v node)")"
  node_version="$("$node_bin" --version)"
  case "$node_version" in v20.*) ;; *) log "Node 20 is needed on this machine for the stand-in (found $node_version)"; exit 1 ;; esac
  npm_dir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
  rootfs
  install -D -m 0755 "$node_bin" "$work/tree/usr/local/bin/node"
  mkdir -p "$work/tree/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$work/tree/usr/local/lib/node_modules/npm"
  [ -d "$npm_dir/../corepack" ] && cp -a "$npm_dir/../corepack" "$work/tree/usr/local/lib/node_modules/corepack"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/tree/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/tree/usr/local/bin/npx"
  [ -d "$work/tree/usr/local/lib/node_modules/corepack" ] && ln -s ../lib/node_modules/corepack/dist/corepack.js "$work/tree/usr/local/bin/corepack"
  chroot "$work/tree" sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  ca=()
  # A network that inspects TLS (this machine type's egress) signs with its own CA:
  # `npm ci` in the build stages must trust it as this machine's npm does.
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
    install -D -m 0644 "$NODE_EXTRA_CA_CERTS" "$work/tree/usr/local/share/mastercut-stand-in/extra-ca.crt"
    ca=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/mastercut-stand-in/extra-ca.crt')
  fi
  import_tree "$NODE_IMAGE" --change "ENV NODE_VERSION=${node_version#v}" "${ca[@]}" --change 'CMD ["node"]'
fi

if present "$CUDA_IMAGE"; then
  log "$CUDA_IMAGE: cached"
else
  rootfs
  chroot "$work/tree" sh -c 'groupadd --gid 1000 ubuntu && useradd --uid 1000 --gid ubuntu --shell /bin/bash --create-home ubuntu'
  import_tree "$CUDA_IMAGE" --change 'ENV NVIDIA_REQUIRE_CUDA=cuda>=12.6' --change 'CMD ["/bin/bash"]'
fi
