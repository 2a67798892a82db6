#!/usr/bin/env bash
# Container smoke test (`npm run test:containers`): builds the three images
# and runs each role the way docker/compose.yml and docker/k8s/ run it, with
# podman on a machine that has no Docker engine and no registry.
#
#  1. installs podman, buildah, runc and debootstrap when missing
#     (scripts/install-system-deps.sh --containers);
#  2. builds local stand-ins for the base images under their exact FROM names
#     when missing (scripts/containers/stand-in-bases.sh), and the images with
#     --pull=never --format docker (HEALTHCHECK kept), reusing the layer cache;
#  3. runs the API, a render worker, a transcode worker and a webhook worker:
#     non-root (uid 1000), --cap-drop ALL, no-new-privileges, read-only root
#     with writable tmpfs where the k8s manifests mount emptyDirs; the render
#     worker with compose's cap_add SYS_CHROOT (Chromium's sandbox, on), then
#     once more as k8s runs it (no capability: the sandbox is off, the worker
#     says why and is ready all the same);
#  4. waits for each /readyz, runs each HEALTHCHECK (`podman healthcheck run`:
#     no systemd here to run them on a timer), renders a video through the
#     API and fetches it, has its channel deliverables transcoded and fetches
#     them (checked with ffprobe), checks that an API with a bad configuration
#     exits non-zero at once;
#  5. stops every container with SIGTERM and checks it exited 0.
# It prints what it does and ends with "N passed, N failed" (exit 1 on a failure).
#
# Environment workarounds of this machine type, not project settings:
# runc and the ulimits of scripts/containers/containers.conf, --network host
# (every role gets its own port), and the stand-in base images.
#
# Usage: scripts/container-smoke.sh [--rebuild-bases] [--keep]
#   --rebuild-bases  build the stand-in base images again
#   --keep           leave the containers and the work dir for a look (the names are printed)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 && exec sudo --preserve-env=PATH,NODE_EXTRA_CA_CERTS bash "$0" "$@"
  echo "container-smoke: needs root (rootful podman, debootstrap)"; echo "0 passed, 1 failed"; exit 1
fi
rebuild_bases=()
keep=false
for arg in "$@"; do
  case "$arg" in
    --rebuild-bases) rebuild_bases=(--rebuild) ;;
    --keep) keep=true ;;
    *) echo "usage: container-smoke.sh [--rebuild-bases] [--keep]" >&2; exit 2 ;;
  esac
done

started=$(date +%s)
work="$(mktemp -d /var/tmp/mastercut-smoke.XXXXXX)"
chmod 755 "$work"
redis_pid=""
# Every container of this run carries this label (they are started in subshells).
run_label="mastercut-smoke=$$"
cleanup() {
  local ours
  ours="$(podman ps -aq --filter "label=$run_label" 2>/dev/null)"
  if [ "$keep" = true ]; then echo "kept: containers $(podman ps -a --filter "label=$run_label" --format '{{.Names}}' | tr '\n' ' '), work dir $work, redis pid $redis_pid"; return; fi
  [ -n "$ours" ] && podman rm -f -t 0 $ours >/dev/null 2>&1
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
passed=0
failed=0
step() { printf '\n== %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }
ok() { passed=$((passed + 1)); echo "  ok    $*"; }
bad() { failed=$((failed + 1)); echo "  FAIL  $*"; }
# Runs "$@" and counts it as the check named $1's description.
check() {
  local what="$1"
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}
finish() {
  echo
  echo "container smoke: $(($(date +%s) - started)) s"
  echo "${passed} passed, ${failed} failed"
  [ "$failed" -eq 0 ]
  exit $?
}

# podman without systemd logs an error for every healthcheck timer it cannot create: noise here.
pm() { podman "$@" 2> >(grep -v 'systemd connection' >&2); }
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

step "system packages (scripts/container-packages.txt)"
if bash scripts/install-system-deps.sh --containers; then ok "podman $(podman --version | awk '{print $3}'), buildah, runc, debootstrap installed"; else bad "install container packages"; finish; fi
export CONTAINERS_CONF="$root/scripts/containers/containers.conf"

step "stand-in base images"
if bash scripts/containers/stand-in-bases.sh "${rebuild_bases[@]}"; then ok "node:20-bookworm-slim and nvidia/cuda:12.6.3-runtime-ubuntu24.04 present"; else bad "stand-in base images"; finish; fi

step "build the images (--pull=never --format docker)"
# What an image is built from: its Dockerfile, the files its COPY lines take from the
# context, and the base images' ids. An image labelled with the same digest is up to date:
# skipping its build saves the layer cache check (buildah hashes node_modules again each time).
inputs_digest() {
  local dockerfile="docker/$1.Dockerfile" line sources
  {
    cat "$dockerfile"
    while read -r line; do
      read -ra sources <<<"$line"
      unset 'sources[${#sources[@]}-1]'
      find "${sources[@]}" -type f -not -name '*.log' -print0 | sort -z | xargs -0 sha256sum
    done < <(sed -n 's/^COPY \([^-].*\)$/\1/p' "$dockerfile")
    sed -n 's/^FROM \([^ ]*\).*/\1/p' "$dockerfile" | sort -u | while read -r base; do
      podman image inspect --format '{{.Id}}' "$base" 2>/dev/null || true
    done
  } | sha256sum | cut -c1-16
}
build() {
  local name="$1" tag="$2" t0 digest
  t0=$(date +%s)
  digest="$(inputs_digest "$name")"
  if [ "$(podman image inspect --format '{{ index .Labels "mastercut.inputs" }}' "$tag" 2>/dev/null)" = "$digest" ]; then
    ok "$tag up to date (inputs $digest)"
    return 0
  fi
  # buildah 1.28 does not read <Dockerfile>.dockerignore by itself: name it explicitly.
  if pm build --pull=never --format docker --network host --quiet --label "mastercut.inputs=$digest" \
    --ignorefile "docker/$name.Dockerfile.dockerignore" -f "docker/$name.Dockerfile" -t "$tag" . >"$work/build-$name.log" 2>&1; then
    ok "$tag built ($(($(date +%s) - t0)) s, $(podman image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
  else
    bad "$tag build"; tail -n 30 "$work/build-$name.log"; return 1
  fi
}
build api mastercut-api:local && build render-worker mastercut-render:local && build transcode-worker mastercut-transcode:local || finish
for image in mastercut-api:local mastercut-render:local mastercut-transcode:local; do
  check "$image keeps its HEALTHCHECK" test -n "$(podman image inspect --format '{{.Config.Healthcheck}}' "$image" | grep -v '<nil>')"
done
check "no tests, benches or .env in the API image" pm run --rm --network none mastercut-api:local sh -c '! ls -d /app/test /app/bench /app/.env 2>/dev/null | grep .'

step "Redis and shared storage"
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --maxmemory-policy noeviction >"$work/redis.log" 2>&1 &
redis_pid=$!
mkdir -p "$work/data"
chown 1000:1000 "$work/data"
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
check "redis-server on 127.0.0.1:$redis_port (noeviction)" sh -c "redis-cli -p $redis_port config get maxmemory-policy | grep -q noeviction"

live_key="smoke:$(head -c 32 /dev/urandom | base64)"
api_key="smoke-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# The security settings of docker/k8s: non-root uid 1000, no capabilities, no privilege
# escalation, a read-only root with writable scratch dirs (the manifests' emptyDirs).
secure=(--user 1000:1000 --cap-drop ALL --security-opt no-new-privileges --read-only
  --mount type=tmpfs,destination=/tmp,tmpfs-mode=1777 --mount type=tmpfs,destination=/app/.cache,chown=true)
common_env=(-e NODE_ENV=production -e "REDIS_URL=redis://127.0.0.1:$redis_port" -e STORAGE_ROOT=/data -e "LIVE_KEYS=$live_key" -e "API_KEYS=$api_key")

# run <name> <image> [podman run options...] -- [command...]: starts a role in the background.
run() {
  local name="smoke-$1-$$" image="$2"
  shift 2
  local opts=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
  shift
  pm rm -f "$name" >/dev/null 2>&1
  if pm run -d --name "$name" --label "$run_label" --network host --health-interval disable "${opts[@]}" "$image" "$@" >/dev/null; then
    echo "$name"
  else
    return 1
  fi
}

# ready <name> <port> <seconds>: waits for /readyz 200 on the port; prints the answer.
ready() {
  local name="$1" port="$2" deadline=$(($(date +%s) + $3)) body
  while [ "$(date +%s)" -lt "$deadline" ]; do
    body="$(curl -fsS "http://127.0.0.1:$port/readyz" 2>/dev/null)" && { echo "  $body"; return 0; }
    [ "$(podman inspect --format '{{.State.Running}}' "$name" 2>/dev/null)" = true ] || break
    sleep 1
  done
  curl -sS "http://127.0.0.1:$port/readyz" 2>&1 | sed 's/^/  /'
  podman logs --tail 20 "$name" 2>&1 | sed 's/^/  | /'
  return 1
}

# stop <name>: SIGTERM (podman stop), then the exit code must be 0.
stopped_clean() {
  local name="$1" code
  pm stop -t 60 "$name" >/dev/null
  code="$(podman inspect --format '{{.State.ExitCode}}' "$name")"
  [ "$code" = 0 ] || { echo "  $name exited $code"; podman logs --tail 10 "$name" 2>&1 | sed 's/^/  | /'; return 1; }
}

step "API (mastercut serve), as docker/k8s/api.yaml runs it"
api_port=$(free_port)
api_ops=$(free_port)
api=$(run api mastercut-api:local "${secure[@]}" "${common_env[@]}" -v "$work/data:/data" -e "API_PORT=$api_port" -e "METRICS_PORT=$api_ops" -- ./bin/mastercut serve)
check "API container started" test -n "$api"
check "API ready (/readyz on its port $api_port)" ready "$api" "$api_port" 60
check "API HEALTHCHECK passes" pm healthcheck run "$api"

step "render worker, as docker/compose.yml runs it (cap_drop ALL + cap_add SYS_CHROOT): Chromium sandboxed"
render_ops=$(free_port)
render=$(run render mastercut-render:local "${secure[@]}" --cap-add SYS_CHROOT --mount type=tmpfs,destination=/home/node,chown=true \
  "${common_env[@]}" -v "$work/data:/data" -e "METRICS_PORT=$render_ops" -e RENDER_POOL_SIZE=2 -- ./bin/mastercut worker render)
check "render worker container started" test -n "$render"
render_ready="$(ready "$render" "$render_ops" 240)"
render_status=$?
echo "$render_ready"
check "render worker ready" test "$render_status" -eq 0
check "render worker runs Chromium in its sandbox" grep -q 'Chromium sandbox on' <<<"$render_ready"
check "render worker HEALTHCHECK passes" pm healthcheck run "$render"

step "transcode worker (CPU), as docker/compose.yml's transcode-worker-cpu runs it"
transcode_ops=$(free_port)
transcode=$(run transcode mastercut-transcode:local "${secure[@]}" "${common_env[@]}" -v "$work/data:/data" \
  -e "METRICS_PORT=$transcode_ops" -e TRANSCODE_ENCODERS=cpu -e TRANSCODE_CPU_CONCURRENCY=2 -- ./bin/mastercut worker transcode)
check "transcode worker container started" test -n "$transcode"
check "transcode worker ready" ready "$transcode" "$transcode_ops" 120
check "transcode worker HEALTHCHECK passes" pm healthcheck run "$transcode"

step "webhook worker (API image), as docker/k8s/webhook-worker.yaml runs it"
webhook_ops=$(free_port)
# compose and k8s probe the webhook worker on its operations port, not the API image's API_PORT.
webhooks=$(run webhooks mastercut-api:local "${secure[@]}" "${common_env[@]}" -e "METRICS_PORT=$webhook_ops" \
  --health-cmd '["node","-e","fetch('"'"'http://127.0.0.1:'"'"'+process.env.METRICS_PORT+'"'"'/healthz'"'"').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]' \
  -- ./bin/mastercut worker webhooks)
check "webhook worker container started" test -n "$webhooks"
check "webhook worker ready" ready "$webhooks" "$webhook_ops" 60
check "webhook worker HEALTHCHECK passes" pm healthcheck run "$webhooks"

step "render a video through the API and fetch it"
api_url="http://127.0.0.1:$api_port"
auth=(-H "authorization: Bearer $api_key")
props='{"name":"Container Smoke","points":1234}'
render_started=$(date +%s)
answer="$(curl -sS "${auth[@]}" -H 'content-type: application/json' -X POST "$api_url/v1/renders?wait=120" \
  -d "{\"templateId\":\"reference\",\"props\":$props,\"format\":\"mp4\"}")"
echo "  POST /v1/renders -> $answer"
key="$(node -e 'const a=JSON.parse(process.argv[1]);process.stdout.write(a.renderKey??"")' "$answer" 2>/dev/null)"
for _ in $(seq 120); do
  state="$(curl -sS "${auth[@]}" "$api_url/v1/renders/$key" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const a=JSON.parse(s);process.stdout.write(a.state+" "+(a.output?.url??a.output?.key??""))}catch{}})')"
  case "$state" in done*|failed*) break ;; esac
  sleep 1
done
echo "  GET /v1/renders/$key -> $state ($(($(date +%s) - render_started)) s)"
check "render done" grep -q '^done' <<<"$state"
curl -fsS "$api_url/v1/outputs/$key" -o "$work/master.mp4"
probe() { ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height -show_entries format=duration -of csv=p=0 "$1" | tr '\n' ' '; }
master="$(probe "$work/master.mp4")"
echo "  master: $(stat -c %s "$work/master.mp4" 2>/dev/null) bytes, ffprobe: $master"
check "master is H.264 1280x720, 5 s" grep -qE '^h264,1280,720 5\.' <<<"$master"

step "transcode its channel deliverables (email poster + GIF, web MP4) and fetch them"
# The same props as the render above: the campaign finds the master done and only transcodes.
campaign="$(curl -sS "${auth[@]}" -H 'content-type: application/json' -X POST "$api_url/v1/campaigns" \
  -d "{\"templateId\":\"reference\",\"channels\":[\"email\",\"web\"],\"mode\":\"prerender\",\"recipients\":[{\"recipientId\":\"smoke-1\",\"name\":\"Container Smoke\",\"points\":1234}]}")"
cid="$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).id??"")' "$campaign" 2>/dev/null)"
echo "  POST /v1/campaigns -> ${cid:-$campaign}"
urls=""
all=false
transcode_started=$(date +%s)
for _ in $(seq 180); do
  [ -n "$cid" ] || break
  manifest="$(curl -sS "${auth[@]}" "$api_url/v1/campaigns/$cid/manifest?format=jsonl")"
  # One JSON line per recipient: {channels: {email: {url, deliverables: {"poster.jpg": url, ...}}, ...}}.
  urls="$(node -e '
    const rows = process.argv[1].trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const urls = rows.flatMap((r) => Object.entries(r.channels ?? {}).flatMap(([channel, c]) =>
      Object.entries(c.deliverables ?? {}).map(([file, url]) => channel + "-" + file + " " + url)));
    process.stdout.write(urls.join("\n"));' "$manifest" 2>/dev/null)"
  all=true
  while read -r name url; do
    [ -n "$url" ] || continue
    case "$url" in http*) ;; *) url="$api_url$url" ;; esac
    curl -fsS -o /dev/null "$url" 2>/dev/null || { all=false; break; }
  done <<<"$urls"
  [ -n "$urls" ] && [ "$all" = true ] && break
  sleep 1
done
echo "  deliverables served after $(($(date +%s) - transcode_started)) s"
check "campaign manifest lists the deliverables and every one is served" test "$all" = true -a -n "$urls"
while read -r name url; do
  [ -n "$url" ] || continue
  case "$url" in http*) ;; *) url="$api_url$url" ;; esac
  file="$work/$name"
  curl -fsS -o "$file" "$url" && echo "  $name: $(stat -c %s "$file") bytes, ffprobe: $(probe "$file")"
  check "$name decodes from end to end" sh -c "out=\$(ffmpeg -nostdin -v error -i '$file' -f null - 2>&1) && [ -z \"\$out\" ]"
done <<<"$urls"

step "render worker as docker/k8s/render-worker.yaml runs it (all capabilities dropped): sandbox off, said why, ready"
k8s_ops=$(free_port)
k8s_render=$(run render-k8s mastercut-render:local "${secure[@]}" --mount type=tmpfs,destination=/home/node,chown=true \
  "${common_env[@]}" -v "$work/data:/data" -e "METRICS_PORT=$k8s_ops" -e RENDER_POOL_SIZE=1 -- ./bin/mastercut worker render)
k8s_ready="$(ready "$k8s_render" "$k8s_ops" 240)"
k8s_status=$?
echo "$k8s_ready"
check "render worker without SYS_CHROOT is ready" test "$k8s_status" -eq 0
check "its /readyz says the sandbox is off, and why" grep -q 'Chromium sandbox off (Chromium.s sandbox does not start here' <<<"$k8s_ready"
check "its log says why the sandbox is off" sh -c "podman logs '$k8s_render' 2>&1 | grep -q '\"msg\":\"chromium sandbox decided\"'"

step "an API with a bad configuration (production, no LIVE_KEYS) exits non-zero at once"
bad_api=$(run bad-api mastercut-api:local "${secure[@]}" -e NODE_ENV=production -e "REDIS_URL=redis://127.0.0.1:$redis_port" -e "API_PORT=$(free_port)" -e "METRICS_PORT=$(free_port)" -- ./bin/mastercut serve)
bad_started=$(date +%s)
for _ in $(seq 60); do [ "$(podman inspect --format '{{.State.Running}}' "$bad_api")" = false ] && break; sleep 0.5; done
bad_code="$(podman inspect --format '{{.State.ExitCode}}' "$bad_api")"
echo "  exit code $bad_code after $(($(date +%s) - bad_started)) s: $(podman logs "$bad_api" 2>&1 | grep -m1 error)"
check "bad-config API container exited non-zero" test "$bad_code" != 0 -a "$(podman inspect --format '{{.State.Running}}' "$bad_api")" = false

step "stop every role with SIGTERM: exit code 0"
for c in "$k8s_render" "$webhooks" "$transcode" "$render" "$api"; do
  [ -n "$c" ] && check "$c stopped cleanly (exit 0)" stopped_clean "$c"
done
finish
