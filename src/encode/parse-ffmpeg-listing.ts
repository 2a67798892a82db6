/**
 * Parsers for what an ffmpeg build says it contains. A name in these lists
 * only proves the code was compiled in: Debian's ffmpeg lists h264_nvenc,
 * scale_cuda and h264_vaapi on every machine, GPU or not. detectEncoders()
 * uses them to skip probes that cannot work, never to decide that one does.
 */

/** What `ffmpeg -encoders`, `-hwaccels` and `-filters` listed. */
export interface FfmpegListing {
  encoders: ReadonlySet<string>;
  hwaccels: ReadonlySet<string>;
  filters: ReadonlySet<string>;
}

// ` V....D h264_nvenc   NVIDIA NVENC H.264 encoder (codec h264)`: a 6-flag column, then the name.
const CODEC_LINE = /^\s*[VAS.][F.][S.][X.][B.][D.]\s+(\S+)/;
// ` ..C scale_cuda   V->V   GPU accelerated video resizer`: 3 flags, the name, then the in->out pads.
const FILTER_LINE = /^\s*[T.][S.][C.]\s+(\S+)\s+\S*->\S*/;

/**
 * Names from `ffmpeg -hide_banner -encoders` (or `-decoders`). The legend
 * above the ` ------` line uses the same flag column, so only lines after it
 * count.
 */
export function parseCodecList(stdout: string): Set<string> {
  const names = new Set<string>();
  let inList = false;
  for (const line of stdout.split(/\r?\n/)) {
    if (!inList) {
      inList = /^\s*-{6}\s*$/.test(line);
      continue;
    }
    const m = CODEC_LINE.exec(line);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

/** Methods from `ffmpeg -hide_banner -hwaccels`: one per line under a title line. */
export function parseHwaccelList(stdout: string): Set<string> {
  const names = new Set<string>();
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.endsWith(':')) continue;
    if (/^[a-z0-9_]+$/.test(line)) names.add(line);
  }
  return names;
}

/** Names from `ffmpeg -hide_banner -filters` (the legend lines have no `->`). */
export function parseFilterList(stdout: string): Set<string> {
  const names = new Set<string>();
  for (const line of stdout.split(/\r?\n/)) {
    const m = FILTER_LINE.exec(line);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

// Lines that say only that something failed, not why: they come after the real cause.
const GENERIC_LINES: readonly RegExp[] = [
  /^Conversion failed!?$/,
  /Error initializing output stream/,
  /Error while opening encoder/,
  /^Error parsing global options/,
  /^Failed to set value '.*' for option/,
  /^Device setup failed for decoder/,
  /^Error while (filtering|decoding|processing)/,
  /^Error reinitializing filters/,
  /^Failed to inject frame into filter network/,
  /Nothing was written into output file/,
  /^(Input|Output) #\d/,
  /^Stream (#|mapping)/,
  /^(Duration|Metadata|Side data):/,
  /^frame=/,
  /^Press \[q\]/,
];

const COMPONENT_PREFIX = /^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i;

/**
 * One line saying why an ffmpeg probe failed, e.g. `Cannot load libcuda.so.1`
 * or `OpenEncodeSessionEx failed: unsupported device (2): (no details)`: the
 * first two specific lines of stderr, without the `[h264_nvenc @ 0x...]`
 * prefix and without ffmpeg's generic trailers.
 */
export function summarizeFfmpegError(stderr: string, maxChars = 200): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.replace(COMPONENT_PREFIX, '').trim())
    .filter((l) => l.length > 0);
  const specific = lines.filter((l) => !GENERIC_LINES.some((re) => re.test(l)));
  const picked = [...new Set(specific)].slice(0, 2);
  const text = picked.length > 0 ? picked.join('; ') : (lines.at(-1) ?? 'no error output');
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}
