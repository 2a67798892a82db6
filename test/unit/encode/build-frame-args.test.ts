import { describe, expect, it } from 'vitest';
import { buildPosterArgs, buildStillCardArgs, grabSeconds, playBadge } from '../../../src/encode/index.js';
import { valueAfter, valuesAfter } from './args-helpers.js';
import { defaultSpec, graphOf, inputOptions, LANDSCAPE, PIPELINES, type PipelineName } from './transcode-fixtures.js';

const outDir = '/work/out';
const emailPoster = defaultSpec('email', 'poster');
const webPoster = defaultSpec('web', 'poster');
const card = defaultSpec('callcenter', 'still');
const poster = (spec = emailPoster, caps: PipelineName = 'cpu', atSeconds?: number) =>
  buildPosterArgs({ spec, input: '/work/master.mp4', outDir, caps: PIPELINES[caps], master: LANDSCAPE, ...(atSeconds === undefined ? {} : { atSeconds }) });

describe('playBadge', () => {
  it('is a centred, even-sized RGBA disc with a triangle drawn by geq', () => {
    const b = playBadge(960, 540);
    expect(b.size).toBe(172);
    expect([b.x, b.y]).toEqual([394, 184]);
    expect(b.source).toMatch(/^color=c=black@0:s=172x172:r=1:d=1,format=rgba,geq=r='.+':g='.+':b='.+':a='.+'$/);
    expect(b.source).toContain('hypot(X-86,Y-86)');
  });
});

describe('buildPosterArgs', () => {
  it('CPU email poster: seek, scale, overlay the badge, one mjpeg frame', () => {
    const args = poster(emailPoster, 'cpu', 2.5);
    expect(valueAfter(args, '-ss')).toBe('2.5');
    expect(args.indexOf('-ss')).toBeLessThan(args.indexOf('-i'));
    const graph = graphOf(args);
    expect(graph).toContain('[0:v]scale=960:540:flags=lanczos,format=yuv420p,setsar=1[bg]');
    expect(graph).toContain('geq=');
    expect(graph).toContain('[bg][badge]overlay=x=394:y=184,format=yuvj420p[out]');
    expect(valueAfter(args, '-map')).toBe('[out]');
    expect(valueAfter(args, '-frames:v')).toBe('1');
    expect(valueAfter(args, '-c:v')).toBe('mjpeg');
    expect(valueAfter(args, '-q:v')).toBe('3');
    expect(args.at(-1)).toBe(`file:${outDir}/poster.jpg`);
  });

  it('CPU web poster: no badge, no overlay', () => {
    const args = poster(webPoster, 'cpu');
    expect(args).not.toContain('-filter_complex');
    expect(graphOf(args)).toBe('scale=1280:720:flags=lanczos,format=yuv420p,setsar=1,format=yuvj420p');
  });

  it('NVIDIA email poster: shared CUDA device, scale_cuda to yuv420p, badge uploaded and composited by overlay_cuda', () => {
    const args = poster(emailPoster, 'nvidia');
    expect(inputOptions(args)).toEqual(
      expect.arrayContaining(['-init_hw_device', 'cuda=cu:0', '-filter_hw_device', 'cu', '-hwaccel_device', 'cu']),
    );
    expect(valueAfter(args, '-hwaccel')).toBe('cuda');
    expect(valueAfter(args, '-hwaccel_output_format')).toBe('cuda');
    const graph = graphOf(args);
    expect(graph).toContain('[0:v]scale_cuda=w=960:h=540:interp_algo=lanczos:format=yuv420p[bg]');
    expect(graph).toContain(',format=yuva420p,hwupload[badge]');
    expect(graph).toContain('[bg][badge]overlay_cuda=x=394:y=184,hwdownload,format=yuv420p,setsar=1,format=yuvj420p[out]');
    expect(valueAfter(args, '-c:v')).toBe('mjpeg');
  });

  it('NVDEC-only decodes and composites on the GPU the same way (the JPEG encode is on the CPU anyway)', () => {
    expect(graphOf(poster(emailPoster, 'nvdec'))).toContain('overlay_cuda');
  });

  it('NVIDIA web poster: scale_cuda then download', () => {
    const args = poster(webPoster, 'nvidia');
    expect(args).not.toContain('-init_hw_device');
    expect(graphOf(args)).toBe('scale_cuda=w=1280:h=720:interp_algo=lanczos:format=nv12,hwdownload,format=nv12,format=yuv420p,setsar=1,format=yuvj420p');
  });

  it('VAAPI email poster: scale_vaapi, download, CPU overlay', () => {
    const args = poster(emailPoster, 'vaapi');
    expect(valueAfter(args, '-hwaccel')).toBe('vaapi');
    expect(valueAfter(args, '-hwaccel_device')).toBe('/dev/dri/renderD129');
    const graph = graphOf(args);
    expect(graph).toContain('[0:v]scale_vaapi=w=960:h=540:format=nv12,hwdownload,format=nv12,format=yuv420p,setsar=1[bg]');
    expect(graph).toContain('[bg][badge]overlay=x=394:y=184');
  });

  it('grab time: spec, then the template poster frame, then 1 s; clamped to the last frame', () => {
    expect(valueAfter(poster({ ...emailPoster, atSeconds: 4 }, 'cpu', 2), '-ss')).toBe('4');
    expect(valueAfter(poster(emailPoster, 'cpu', 2), '-ss')).toBe('2');
    expect(valueAfter(poster(emailPoster, 'cpu'), '-ss')).toBe('1');
    // The last frame starts at 9.9667 s: rounding up to 9.967 would seek past it.
    expect(valueAfter(poster(emailPoster, 'cpu', 60), '-ss')).toBe('9.966');
    expect(grabSeconds(undefined, undefined, { durationSec: 0.5, fps: 30 })).toBe(0.25);
  });
});

describe('buildStillCardArgs', () => {
  it.each(['cpu', 'nvidia', 'nvdec', 'vaapi'] as const)('%s: one PNG frame, rgb24, width from the spec', (caps) => {
    const args = buildStillCardArgs({ spec: card, input: '/work/master.mp4', outDir, caps: PIPELINES[caps], master: LANDSCAPE, atSeconds: 3 });
    expect(valueAfter(args, '-ss')).toBe('3');
    expect(graphOf(args).endsWith('format=rgb24')).toBe(true);
    expect(valuesAfter(args, '-c:v')).toEqual(['png']);
    expect(valueAfter(args, '-frames:v')).toBe('1');
    expect(args.at(-1)).toBe(`file:${outDir}/card.png`);
    const scaler = { cpu: 'scale=1280:720', nvidia: 'scale_cuda=w=1280:h=720', nvdec: 'scale_cuda=w=1280:h=720', vaapi: 'scale_vaapi=w=1280:h=720' }[caps];
    expect(graphOf(args)).toContain(scaler);
  });
});
