import { CPU_CAPS, type EncoderCaps } from './encoder-caps.js';
import type { EncoderFamily, ProbeId } from './encoder-probes.js';
import type { CandidateCheck } from './detection-report.js';

/** Preference when several families work: NVIDIA, then VAAPI, then QSV. */
const FAMILY_ORDER: readonly EncoderFamily[] = ['nvidia', 'vaapi', 'qsv'];

function passed(checks: readonly CandidateCheck[], id: ProbeId): boolean {
  return checks.some((c) => c.id === id && c.status === 'ok');
}

/** `h264_nvenc: Cannot load libcuda.so.1; h264_vaapi, vaapi_decode: no /dev/dri/renderD* node`: stages that share a reason share a line; skipped ones follow from another. */
function failures(checks: readonly CandidateCheck[], family: EncoderFamily): string {
  const byReason = new Map<string, string[]>();
  for (const c of checks) {
    if (c.family !== family || c.status === 'ok' || c.status === 'skipped') continue;
    const reason = c.reason ?? c.status;
    byReason.set(reason, [...(byReason.get(reason) ?? []), c.id]);
  }
  return [...byReason].map(([reason, ids]) => `${ids.join(', ')}: ${reason}`).join('; ');
}

/** The caps one family supports given its probe results, or null when no stage of it works. */
export function capsForFamily(
  family: EncoderFamily,
  checks: readonly CandidateCheck[],
  vaapiDevice?: string,
): EncoderCaps | null {
  if (family === 'nvidia') {
    const decode = passed(checks, 'nvdec');
    const encode = passed(checks, 'h264_nvenc');
    if (!decode && !encode) return null;
    return {
      decode: decode ? 'cuda' : 'cpu',
      h264: encode ? 'h264_nvenc' : 'libx264',
      ...(encode && passed(checks, 'hevc_nvenc') ? { hevc: 'hevc_nvenc' as const } : {}),
      // H100/H200: NVDEC and CUDA scaling, but no NVENC, so x264 encodes.
      label: decode && encode ? 'nvidia' : decode ? 'nvidia-decode' : 'nvidia-encode',
    };
  }
  if (family === 'vaapi') {
    const decode = passed(checks, 'vaapi_decode');
    const encode = passed(checks, 'h264_vaapi');
    if ((!decode && !encode) || !vaapiDevice) return null;
    return {
      decode: decode ? 'vaapi' : 'cpu',
      h264: encode ? 'h264_vaapi' : 'libx264',
      ...(encode && passed(checks, 'hevc_vaapi') ? { hevc: 'hevc_vaapi' as const } : {}),
      vaapiDevice,
      label: decode && encode ? 'vaapi' : decode ? 'vaapi-decode' : 'vaapi-encode',
    };
  }
  // QSV encodes system-memory frames, so the master is decoded and scaled on the CPU.
  if (!passed(checks, 'h264_qsv')) return null;
  return {
    decode: 'cpu',
    h264: 'h264_qsv',
    ...(passed(checks, 'hevc_qsv') ? { hevc: 'hevc_qsv' as const } : {}),
    label: 'qsv',
  };
}

/**
 * Picks the caps from the probe results: the first family (NVIDIA, VAAPI,
 * QSV) with a working stage, else CPU_CAPS. Returns a one-line reason too.
 */
export function chooseEncoderCaps(
  checks: readonly CandidateCheck[],
  vaapiDevice?: string,
): { caps: EncoderCaps; decision: string } {
  for (const family of FAMILY_ORDER) {
    const caps = capsForFamily(family, checks, vaapiDevice);
    if (!caps) continue;
    const ok = checks.filter((c) => c.family === family && c.status === 'ok').map((c) => c.id);
    const partial = failures(checks, family);
    return { caps, decision: `${caps.label}: ${ok.join(', ')} work${partial ? `; not used: ${partial}` : ''}` };
  }
  const why = FAMILY_ORDER.map((f) => failures(checks, f)).filter(Boolean).join('; ');
  return { caps: CPU_CAPS, decision: `cpu: no GPU stage works${why ? ` (${why})` : ''}` };
}
