#!/usr/bin/env bash
# Generates the year-recap soundtrack from pure maths with ffmpeg's aevalsrc,
# so the project ships background music that nobody holds a copyright on.
#
#   8 s, 44.1 kHz stereo, AAC ~80 kb/s -> compositions/year-recap/public/music.m4a
#
# Music: I-V-vi-IV in C (C, G, Am, F), one chord every 2 s, in just intonation
# (major third 5/4, minor third 6/5, fifth 3/2) so the pad beats as little as
# possible. Over the pad, a 16th-note-ish arpeggio (4 notes a second: root,
# third, fifth, octave) one octave up. Each arpeggio note has a fast attack and
# a cubic decay that reaches exactly zero before the next note, and the pad
# fades at every chord change: the frequency switches happen at zero amplitude,
# which keeps the waveform click-free. A final 2 s fade-out ends the clip.
#
# Usage: scripts/generate-music.sh [output-path]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/compositions/year-recap/public/music.m4a}"
FFMPEG="${FFMPEG:-ffmpeg}"

# Shared prelude (variables are per channel expression in aevalsrc):
#   0 = chord index, 1 = chord root (Hz), 2 = third ratio,
#   3 = position inside the chord (0..1), 4 = arpeggio step, 5 = note (Hz),
#   6 = position inside the note (0..1)
PRELUDE="st(0,floor(t/2));\
st(1,if(eq(ld(0),0),261.63,if(eq(ld(0),1),196,if(eq(ld(0),2),220,174.61))));\
st(2,if(eq(ld(0),2),1.2,1.25));\
st(3,mod(t,2)/2);\
st(4,mod(floor(t*4),4));\
st(5,2*ld(1)*if(eq(ld(4),0),1,if(eq(ld(4),1),ld(2),if(eq(ld(4),2),1.5,2))));\
st(6,mod(t*4,1))"

# Pad: root, third, fifth and a sub-octave, with a 0.2 s swell at each chord
# edge. DETUNE widens the stereo image slightly on the right channel.
pad() {
  local d="$1"
  echo "0.07*min(1,ld(3)*10)*min(1,(1-ld(3))*10)*(\
sin(2*PI*ld(1)*${d}*t)+0.8*sin(2*PI*ld(1)*ld(2)*${d}*t)+\
0.7*sin(2*PI*ld(1)*1.5*${d}*t)+0.9*sin(PI*ld(1)*${d}*t))"
}

# Arpeggio: plucked tone (fundamental + soft 2nd harmonic).
ARP="min(1,ld(6)*60)*pow(1-ld(6),3)*(sin(2*PI*ld(5)*t)+0.3*sin(4*PI*ld(5)*t))"

LEFT="${PRELUDE};$(pad 1)+0.22*${ARP}"
RIGHT="${PRELUDE};$(pad 1.003)+0.14*${ARP}"

mkdir -p "$(dirname "$OUT")"
# -bitexact and -map_metadata -1 keep the file byte-stable across runs, which
# keeps the template's content hash (its version) stable too.
"$FFMPEG" -hide_banner -loglevel error -y \
  -f lavfi -i "aevalsrc=exprs='${LEFT}|${RIGHT}':s=44100:d=8:c=stereo" \
  -af "afade=t=in:st=0:d=0.05,afade=t=out:st=6:d=2,alimiter=limit=0.9" \
  -c:a aac -b:a 80k -ar 44100 -ac 2 \
  -map_metadata -1 -fflags +bitexact -flags:a +bitexact \
  -movflags +faststart \
  "$OUT"

echo "wrote $OUT ($(wc -c <"$OUT") bytes)"
