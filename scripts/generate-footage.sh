#!/usr/bin/env bash
# Generates the video footage the project ships, from pure maths with ffmpeg's
# lavfi sources: no third-party media, nothing anybody holds a copyright on.
#
#   compositions/welcome-clip/public/brand-clip.mp4
#       6 s, 1280x720, 30 fps, H.264 + AAC: a slow brand-coloured gradient with
#       two soft light orbs drifting across, over a quiet A-major pad.
#   test/fixtures/compositions/video-pattern/public/pattern.mp4
#       3 s, 320x180, 30 fps (90 frames), H.264 with B-frames and one keyframe,
#       plus a 440 Hz tone: frame N shows N in binary as 8 blocks across the
#       top half (bit 0 on the left, white = 1) and the complement in the
#       bottom half, so a test can read which source frame a render shows and
#       that it is no blend of two frames.
#   test/fixtures/compositions/video-pattern/public/pattern25.mp4
#       the same pattern at 25 fps (75 frames), no sound.
#   test/fixtures/compositions/video-pattern/public/alpha.webm
#       10 frames, 160x90, VP9 with an alpha channel: the left half is
#       transparent, the right half opaque red.
#
# -bitexact, -map_metadata -1 and one encoder thread keep every file
# byte-stable from run to run and machine to machine, which keeps the
# templates' content hashes (their versions) stable too.
#
# Usage: scripts/generate-footage.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FFMPEG="${FFMPEG:-ffmpeg}"
CLIP="$ROOT/compositions/welcome-clip/public/brand-clip.mp4"
FIXTURES="$ROOT/test/fixtures/compositions/video-pattern/public"
STABLE=(-map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact -threads 1)

mkdir -p "$(dirname "$CLIP")" "$FIXTURES"

# An orb: a flat colour whose alpha falls off from the centre.
orb() { # colour size opacity
  local r=$(($2 / 2))
  echo "color=c=$1:s=$2x$2:r=30:d=6,format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='255*pow(max(0,1-hypot(X-$r,Y-$r)/$r),2)*$3'"
}
# A-major pad (A3, C#4, E4), slightly detuned on the right; fades in and out.
PAD="(0.10*sin(2*PI*220*t)+0.06*sin(2*PI*277.18*t)+0.05*sin(2*PI*329.63*t))*min(1,t*2)*min(1,(6-t)*2)"
PAD_R="(0.10*sin(2*PI*220.5*t)+0.06*sin(2*PI*277.6*t)+0.05*sin(2*PI*330*t))*min(1,t*2)*min(1,(6-t)*2)"
"$FFMPEG" -hide_banner -loglevel error -y \
  -f lavfi -i "gradients=s=1280x720:r=30:d=6:c0=0x081a33:c1=0x12507a:c2=0x5b2a6e:c3=0x081a33:nb_colors=4:speed=0.015:seed=11:type=linear" \
  -f lavfi -i "$(orb 0xffd9a0 360 0.55)" \
  -f lavfi -i "$(orb 0x7fe0ff 260 0.5)" \
  -f lavfi -i "aevalsrc=exprs='${PAD}|${PAD_R}':s=48000:d=6" \
  -filter_complex "[0:v][1:v]overlay=x='100+700*t/6':y='80+60*sin(2*PI*t/6)'[a];[a][2:v]overlay=x='1000-600*t/6':y='420-80*sin(2*PI*t/6)',format=yuv420p[v]" \
  -map '[v]' -map 3:a -c:v libx264 -preset slow -crf 30 -g 60 -c:a aac -b:a 64k \
  "${STABLE[@]}" -movflags +faststart "$CLIP"
echo "wrote $CLIP ($(wc -c <"$CLIP") bytes)"

# Bit i of the frame number N, as a block 40 px wide: luma 235 (1) or 16 (0), inverted in the bottom half.
BITS="if(mod(floor(N/pow(2\,floor(X/40)))\,2)\,1\,0)"
PATTERN="geq=lum='if(lt(Y\,90)\,16+219*${BITS}\,235-219*${BITS})':cb=128:cr=128"
"$FFMPEG" -hide_banner -loglevel error -y \
  -f lavfi -i "color=c=gray:s=320x180:r=30:d=3" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=3" \
  -vf "$PATTERN" -c:v libx264 -g 250 -bf 3 -crf 18 -pix_fmt yuv420p -c:a aac -b:a 64k -shortest \
  "${STABLE[@]}" -movflags +faststart "$FIXTURES/pattern.mp4"
"$FFMPEG" -hide_banner -loglevel error -y \
  -f lavfi -i "color=c=gray:s=320x180:r=25:d=3" \
  -vf "$PATTERN" -c:v libx264 -g 250 -bf 3 -crf 18 -pix_fmt yuv420p \
  "${STABLE[@]}" -movflags +faststart "$FIXTURES/pattern25.mp4"
"$FFMPEG" -hide_banner -loglevel error -y \
  -f lavfi -i "color=c=red:s=160x90:r=30:d=0.3,format=yuva420p,geq=lum='p(X,Y)':cb='p(X,Y)':cr='p(X,Y)':a='if(lt(X,80),0,255)'" \
  -c:v libvpx-vp9 -pix_fmt yuva420p -b:v 200k -auto-alt-ref 0 \
  "${STABLE[@]}" "$FIXTURES/alpha.webm"
echo "wrote $FIXTURES/pattern.mp4, pattern25.mp4, alpha.webm"
