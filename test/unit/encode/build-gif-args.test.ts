import { describe, expect, it } from 'vitest';
import { buildGifArgs, gifSettingsAt } from '../../../src/encode/index.js';
import { valueAfter } from './args-helpers.js';
import { defaultSpec, graphOf, LANDSCAPE, PIPELINE_NAMES, PIPELINES } from './transcode-fixtures.js';

const spec = defaultSpec('email', 'gif');
const base = { spec, input: '/work/master.mp4', outDir: '/work/out', master: LANDSCAPE };

describe('buildGifArgs', () => {
  it('reads only the first 3 s and builds and applies a palette in one pass', () => {
    const args = buildGifArgs({ ...base, caps: PIPELINES.cpu });
    expect(valueAfter(args, '-t')).toBe('3');
    expect(args.indexOf('-t')).toBeLessThan(args.indexOf('-i'));
    expect(graphOf(args)).toBe(
      [
        '[0:v]fps=12,scale=480:270:flags=lanczos,setsar=1,split[g0][g1]',
        '[g0]palettegen=stats_mode=diff[pal]',
        '[g1][pal]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle[gif]',
      ].join(';'),
    );
    expect(valueAfter(args, '-map')).toBe('[gif]');
    expect(valueAfter(args, '-loop')).toBe('0');
    expect(args.slice(-3)).toEqual(['-f', 'gif', 'file:/work/out/preview.gif']);
  });

  it.each(PIPELINE_NAMES)('%s caps: still entirely on the CPU (no GPU has palette filters or a GIF encoder)', (caps) => {
    const args = buildGifArgs({ ...base, caps: PIPELINES[caps] });
    expect(args).toEqual(buildGifArgs({ ...base, caps: PIPELINES.cpu }));
    expect(args).not.toContain('-hwaccel');
  });

  it('applies a fallback step', () => {
    const step2 = gifSettingsAt(spec, 2)!;
    expect(step2).toEqual({ fps: 8, width: 400 });
    expect(gifSettingsAt(spec, 0)).toEqual({ fps: 12, width: 480 });
    expect(gifSettingsAt(spec, 4)).toBeUndefined();
    expect(graphOf(buildGifArgs({ ...base, caps: PIPELINES.cpu, settings: step2 }))).toContain('fps=8,scale=400:226:');
  });

  it('a master shorter than the preview: the whole master', () => {
    expect(valueAfter(buildGifArgs({ ...base, caps: PIPELINES.cpu, master: { ...LANDSCAPE, durationSec: 2 } }), '-t')).toBe('2');
  });
});
