#!/usr/bin/env bash
# GPU check of the transcode pipelines (issue 5), one command, under 5 minutes:
#
#   bash bench/gpu-check.sh [--cpu-only] [--bash] [--out DIR]
#
# Prints the encoders detected, the speed (x real time) of the email + web + sms
# deliverable set on the GPU and on the CPU, and whether every output passes
# the same ffprobe checks. Needs ffmpeg and ffprobe; nothing else, no network.
#
# - With Node 20 and node_modules: detectEncoders() and bench/transcode.ts
#   (--encoders auto, then cpu), the code the workers run.
# - Otherwise (or with --bash, or when that path fails): the same ffmpeg argument
#   lists, pre-generated from the real builders into bench/gpu-plan.generated.sh
#   (`npx tsx bench/gpu-plan.ts > bench/gpu-plan.generated.sh`), run by bash.
#
# --cpu-only skips the GPU pipelines (for a machine without one); --out keeps
# the outputs in DIR. Exit status: 0 when every pipeline that ran passed its
# checks (and, without --cpu-only, at least one GPU pipeline ran); 2 when
# ffmpeg is missing; 1 otherwise.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cpu_only=0
force_bash=0
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu-only) cpu_only=1 ;;
    --bash) force_bash=1 ;;
    --out) out="${2:?--out needs a directory}"; shift ;;
    -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "gpu-check: unknown option $1 (try --help)" >&2; exit 64 ;;
  esac
  shift
done

section() { printf '\n== %s\n' "$*"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

for bin in ffmpeg ffprobe; do
  if ! command -v "$bin" >/dev/null 2>&1; then
    echo "gpu-check: $bin is not installed on this machine, so nothing can be measured." >&2
    echo "gpu-check: install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg) or run inside docker/transcode-worker.Dockerfile's image." >&2
    exit 2
  fi
done

section "machine"
echo "host $(hostname), $(nproc) cores, $(ffmpeg -hide_banner -version | head -n 1)"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | sed 's/^/gpu: /'
else
  echo "gpu: no nvidia-smi"
fi
ls /dev/dri/renderD* 2>/dev/null | sed 's/^/render node: /' || true

work="$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT
[ -n "$out" ] || out="$work/out"
mkdir -p "$out" && out="$(cd "$out" && pwd)"

# --- Node path: the workers' own code ---------------------------------------
node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -ge 20 ] || return 1
  [ -x "$repo/node_modules/.bin/tsx" ] && [ -f "$repo/bench/transcode.ts" ]
}

if [ "$force_bash" -eq 0 ] && node_ok; then
  tsx="$repo/node_modules/.bin/tsx"
  cd "$repo" || exit 1
  section "encoders (detectEncoders)"
  timeout 60 "$tsx" bench/gpu-plan.ts --detect
  node_status=0
  if [ "$cpu_only" -eq 0 ]; then
    section "GPU: bench/transcode.ts --encoders auto"
    timeout 110 "$tsx" bench/transcode.ts --encoders auto || node_status=$?
  fi
  section "CPU: bench/transcode.ts --encoders cpu"
  timeout 110 "$tsx" bench/transcode.ts --encoders cpu || node_status=$?
  if [ "$node_status" -eq 0 ]; then
    section "result: the outputs passed the deliverable checks (ffprobe) on every path above"
    exit 0
  fi
  echo "gpu-check: bench/transcode.ts failed (exit $node_status); measuring again with the plain ffmpeg plan" >&2
fi

# --- Plain path: pre-generated ffmpeg runs ----------------------------------
plan="$here/gpu-plan.generated.sh"
# Where tsx runs, plan from the current builders rather than the committed copy.
if [ -x "$repo/node_modules/.bin/tsx" ] && (cd "$repo" && timeout 60 node_modules/.bin/tsx bench/gpu-plan.ts >"$work/plan.sh" 2>/dev/null); then
  plan="$work/plan.sh"
fi
if [ ! -f "$plan" ]; then
  echo "gpu-check: $plan is missing; generate it where Node runs: npx tsx bench/gpu-plan.ts > bench/gpu-plan.generated.sh" >&2
  exit 1
fi
# shellcheck source=gpu-plan.generated.sh
source "$plan"
OUT="$out"
SAMPLE="$work/sample.mp4"
VAAPI_DEVICE="$(ls /dev/dri/renderD* 2>/dev/null | head -n 1)"
MASTER_landscape="$work/master-landscape.mp4"
MASTER_portrait="$work/master-portrait.mp4"

# The plan's ffmpeg runs go through ff: a wedged GPU driver must not hang the check.
ff() { timeout 120 ffmpeg "$@"; }

# The cause of a failed ffmpeg run without its generic trailer lines (as summarizeFfmpegError does).
reason() {
  sed -E 's/^\[[^]]*@ 0x[0-9a-f]+\] *//' "$1" |
    grep -vE '^(Conversion failed|Error initializing output stream|Error while opening encoder|Error parsing global options|Failed to set value|Device setup failed|Error (while|reinitializing)|Failed to inject frame|\s*$)' |
    head -n 2 | paste -sd ';' - | sed 's/;/; /g' | cut -c1-160
}

section "encoders (one-frame probes, as detectEncoders runs them)"
# Captured whole: `ffmpeg ... | grep -q` would stop reading early and fail under pipefail.
listing="$(ffmpeg -hide_banner -encoders 2>/dev/null; ffmpeg -hide_banner -filters 2>/dev/null)"
declare -A probe_ok=()
probe() { # <id> <encoder or filter that must be listed> [<probe that must have passed>]
  local id=$1 needs=$2 after=${3:-} log="$work/probe-$1.log"
  if ! grep -qw -- "$needs" <<<"$listing"; then
    printf '  %-13s not-listed (%s)\n' "$id" "$needs"; return
  fi
  if [ -n "$after" ] && [ -z "${probe_ok[$after]:-}" ]; then
    printf '  %-13s skipped    (%s does not work)\n' "$id" "$after"; return
  fi
  if "plan_probe_$id" >/dev/null 2>"$log"; then
    probe_ok[$id]=1; printf '  %-13s ok\n' "$id"
  else
    printf '  %-13s failed     %s\n' "$id" "$(reason "$log")"
    sed 's/^/      | /' "$log" | tail -n 6
  fi
}
plan_probe_sample >/dev/null 2>"$work/sample.log" || { echo "gpu-check: libx264 could not write the probe sample:"; cat "$work/sample.log"; }
probe h264_nvenc h264_nvenc
probe hevc_nvenc hevc_nvenc h264_nvenc
probe nvdec scale_cuda
if [ -n "$VAAPI_DEVICE" ]; then
  probe h264_vaapi h264_vaapi
  probe vaapi_decode scale_vaapi
else
  printf '  %-13s no-device (no /dev/dri/renderD*)\n' vaapi
fi
probe h264_qsv h264_qsv

gpu_pipelines=()
[ -n "${probe_ok[h264_nvenc]:-}" ] && [ -n "${probe_ok[nvdec]:-}" ] && gpu_pipelines+=(nvidia)
# NVDEC without NVENC (H100/H200) is the nvidia-decode path; on a GPU with both it is measured too.
[ -n "${probe_ok[nvdec]:-}" ] && gpu_pipelines+=(nvidia-decode)
[ -n "${probe_ok[h264_vaapi]:-}" ] && [ -n "${probe_ok[vaapi_decode]:-}" ] && gpu_pipelines+=(vaapi)
echo "  => GPU pipelines that work here: ${gpu_pipelines[*]:-none}"

section "masters (${PLAN_MASTER_SECONDS} s, 1280x720 and 720x1280, H.264 + AAC)"
for variant in landscape portrait; do
  var="MASTER_$variant"
  plan_master "$variant" "${!var}" || { echo "gpu-check: could not make the $variant master" >&2; exit 1; }
done
echo "  ok"

# step <label> <ffmpeg args...>: one ffmpeg run of the plan, timed (wall, and CPU time of ffmpeg).
# `times` reports this shell's children: it must run here, not in a $(...) subshell.
children_cpu() { awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.2f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"; }
step() {
  local label=$1 t0 log="$work/step.log"
  shift
  t0=$(now); times >"$work/times0"
  if ff "$@" >/dev/null 2>"$log"; then
    times >"$work/times1"
    printf '    %-20s %6s s wall %6s s cpu\n' "$label" "$(elapsed "$t0" "$(now)")" \
      "$(elapsed "$(children_cpu "$work/times0")" "$(children_cpu "$work/times1")")"
  else
    printf '    %-18s FAILED: %s\n' "$label" "$(reason "$log")"
    pipeline_failed=1
  fi
}

# check <file> <codec> <width> <height> <duration|-> <maxBytes|->: the deliverable checks, with ffprobe.
check() {
  local f=$1 codec=$2 w=$3 h=$4 dur=$5 max=$6 problems=() got size
  if [ ! -s "$f" ]; then checks_failed=1; printf '    %-22s FAIL missing\n' "${f#"$OUT"/*/}"; return; fi
  got=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height -of csv=p=0 "$f")
  [ "$got" = "$codec,$w,$h" ] || problems+=("video $got, want $codec,$w,$h")
  if [ "$dur" != - ]; then
    got=$(ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$f")
    awk -v a="$got" -v b="$dur" 'BEGIN { exit !(a - b < 0.25 && b - a < 0.25) }' || problems+=("duration $got, want $dur")
  fi
  size=$(stat -c %s "$f")
  if [ "$max" != - ] && [ "$size" -gt "$max" ]; then problems+=("$size bytes, budget $max"); fi
  if [ "$codec" = h264 ]; then
    got=$(ffprobe -v error -select_streams v:0 -show_entries stream=avg_frame_rate -of csv=p=0 "$f")
    [ "$got" = 30/1 ] || problems+=("frame rate $got")
    got=$(ffprobe -v error -select_streams a:0 -show_entries stream=codec_name -of csv=p=0 "$f")
    [ "$got" = aac ] || problems+=("audio '${got}', want aac")
    # faststart: the moov box comes before mdat.
    local moov mdat
    moov=$(LC_ALL=C grep -obaF moov "$f" | head -n 1 | cut -d: -f1)
    mdat=$(LC_ALL=C grep -obaF mdat "$f" | head -n 1 | cut -d: -f1)
    [ -n "$moov" ] && [ -n "$mdat" ] && [ "$moov" -lt "$mdat" ] || problems+=("not faststart")
  fi
  if [ ${#problems[@]} -eq 0 ]; then
    printf '    %-22s ok   (%s bytes)\n' "${f#"$OUT"/*/}" "$size"
  else
    checks_failed=1
    printf '    %-22s FAIL %s\n' "${f#"$OUT"/*/}" "$(printf '%s; ' "${problems[@]}" | sed 's/; $//')"
  fi
}

pipelines=(cpu)
[ "$cpu_only" -eq 1 ] || pipelines=("${gpu_pipelines[@]}" cpu)
declare -A speed=() verdict=()
for name in "${pipelines[@]}"; do
  section "pipeline $name: email + web + sms"
  pipeline_failed=0
  checks_failed=0
  t0=$(now)
  "plan_runs_${name//-/_}"
  wall=$(elapsed "$t0" "$(now)")
  speed[$name]=$(awk -v s="$PLAN_MASTER_SECONDS" -v w="$wall" 'BEGIN { printf "%.2fx", s / w }')
  echo "  set: $wall s wall for ${PLAN_MASTER_SECONDS} s of video = ${speed[$name]} real time"
  echo "  ffprobe checks:"
  plan_checks "$OUT/$name"
  if [ "$pipeline_failed" -eq 0 ] && [ "$checks_failed" -eq 0 ]; then verdict[$name]=pass; else verdict[$name]=FAIL; fi
done

section "summary"
status=0
for name in "${pipelines[@]}"; do
  printf '  %-14s %8s real time   checks: %s\n' "$name" "${speed[$name]}" "${verdict[$name]}"
  [ "${verdict[$name]}" = pass ] || status=1
done
if [ "$cpu_only" -eq 0 ] && [ ${#gpu_pipelines[@]} -eq 0 ]; then
  echo "  no GPU pipeline works on this machine (see the probes above)"
  status=1
fi
[ "$out" = "$work/out" ] || echo "  outputs kept in $out"
exit "$status"
