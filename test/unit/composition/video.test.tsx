import { renderToString } from 'react-dom/server';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import {
  CompositionRoot,
  createPageRuntime,
  OffthreadVideo,
  parseVideoFrameUrl,
  Sequence,
  Video,
  type VideoConfig,
} from '../../../src/composition/index.js';

const config: VideoConfig = { width: 64, height: 36, fps: 30, durationInFrames: 100, variant: 'landscape' };

function at(frame: number, children: ReactNode, mode: 'render' | 'player' = 'render'): string {
  const runtime = createPageRuntime();
  runtime.reset({ mode, delayRenderTimeoutMs: 1000 });
  return renderToString(<CompositionRoot frame={frame} config={config} mode={mode} runtime={runtime}>{children}</CompositionRoot>);
}

/** The frame request of the <img> a render shows. */
function requestIn(html: string) {
  const src = /<img[^>]* src="([^"]+)"/.exec(html)?.[1];
  if (!src) return null;
  return parseVideoFrameUrl(src.replaceAll('&amp;', '&'));
}

describe('<Video> when rendering', () => {
  it('asks the renderer for its frame, relative to its Sequence', () => {
    const html = at(25, <Sequence from={10}><Video src="static/clip.mp4" startFrom={4} playbackRate={2} /></Sequence>);
    expect(requestIn(html)).toMatchObject({ src: 'http://localhost/static/clip.mp4', frame: 15, fps: 30, startFrom: 4, playbackRate: 2, loop: false, format: 'jpeg' });
  });

  it('takes Remotion’s newer trimBefore/trimAfter names, and png frames with transparent', () => {
    const html = at(3, <OffthreadVideo src="static/a.webm" trimBefore={5} trimAfter={50} transparent />);
    expect(requestIn(html)).toMatchObject({ startFrom: 5, endAt: 50, format: 'png' });
  });

  it('leaves after endAt unless it loops', () => {
    expect(requestIn(at(29, <Video src="static/clip.mp4" endAt={30} />))).not.toBeNull();
    expect(requestIn(at(30, <Video src="static/clip.mp4" endAt={30} />))).toBeNull();
    expect(requestIn(at(30, <Video src="static/clip.mp4" endAt={30} loop />))).not.toBeNull();
  });

  it('refuses what it cannot honour, by name', () => {
    const volumeFn = (() => 1) as unknown as number;
    expect(() => at(0, <Video src="static/clip.mp4" volume={volumeFn} />)).toThrow(/volume must be a number/);
    const extra = { toneFrequency: 2 } as object;
    expect(() => at(0, <Video src="static/clip.mp4" {...extra} />)).toThrow(/toneFrequency is not supported/);
    expect(() => at(0, <Video src="static/clip.mp4" startFrom={1} trimBefore={1} />)).toThrow(/not both/);
    expect(() => at(0, <Video src="static/clip.mp4" endAt={5} startFrom={5} />)).toThrow(/endAt/);
    expect(() => at(0, <Video src="static/clip.mp4" playbackRate={0} />)).toThrow(/playbackRate/);
    expect(() => at(0, <Video src="" />)).toThrow(/src/);
  });
});

describe('<Video> in the live player', () => {
  it('is a <video> element with the source as given', () => {
    const html = at(10, <Video src="static/clip.mp4" />, 'player');
    expect(html).toMatch(/<video[^>]* src="static\/clip.mp4"/);
    expect(html).not.toContain('<img');
  });
});
