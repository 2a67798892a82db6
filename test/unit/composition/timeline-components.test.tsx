import { renderToString } from 'react-dom/server';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import {
  CompositionRoot,
  Freeze,
  Loop,
  Sequence,
  Series,
  useCurrentFrame,
  useCurrentScale,
  type VideoConfig,
} from '../../../src/composition/index.js';

const config: VideoConfig = { width: 64, height: 36, fps: 30, durationInFrames: 100, variant: 'landscape' };

function at(frame: number, children: ReactNode, scale?: number): string {
  return renderToString(<CompositionRoot frame={frame} config={config} scale={scale}>{children}</CompositionRoot>);
}

/** What each <Frame> shows: `tag=frame` pairs in document order. */
function shown(frame: number, children: ReactNode): string[] {
  return [...at(frame, children).matchAll(/<i>([^<]*)<\/i>/g)].map((m) => m[1]!);
}

function Frame({ tag }: { tag: string }) {
  return <i>{`${tag}=${useCurrentFrame()}`}</i>;
}

describe('Series', () => {
  const series = (
    <Series>
      <Series.Sequence durationInFrames={40}><Frame tag="a" /></Series.Sequence>
      <Series.Sequence durationInFrames={20}><Frame tag="b" /></Series.Sequence>
      <Series.Sequence><Frame tag="c" /></Series.Sequence>
    </Series>
  );

  it('plays its parts one after another, each counting from 0', () => {
    expect(shown(0, series)).toEqual(['a=0']);
    expect(shown(39, series)).toEqual(['a=39']);
    expect(shown(40, series)).toEqual(['b=0']);
    expect(shown(59, series)).toEqual(['b=19']);
    expect(shown(60, series)).toEqual(['c=0']);
    expect(shown(99, series)).toEqual(['c=39']);
  });

  it('shifts a part and all later ones by its offset', () => {
    const overlapping = (
      <Series>
        <Series.Sequence durationInFrames={40}><Frame tag="a" /></Series.Sequence>
        <Series.Sequence durationInFrames={20} offset={-5}><Frame tag="b" /></Series.Sequence>
        <Series.Sequence durationInFrames={10} offset={10}><Frame tag="c" /></Series.Sequence>
      </Series>
    );
    expect(shown(36, overlapping)).toEqual(['a=36', 'b=1']);
    expect(shown(55, overlapping)).toEqual([]);
    expect(shown(65, overlapping)).toEqual(['c=0']);
    expect(shown(75, overlapping)).toEqual([]);
  });

  it('flattens fragments and ignores blank text', () => {
    const tree = (
      <Series>
        <>
          <Series.Sequence durationInFrames={10}><Frame tag="a" /></Series.Sequence>
          <Series.Sequence durationInFrames={10}><Frame tag="b" /></Series.Sequence>
        </>{' '}
      </Series>
    );
    expect(shown(12, tree)).toEqual(['b=2']);
  });

  it('refuses other children, a missing duration before the last part and fractional offsets', () => {
    expect(() => at(0, <Series><div /></Series>)).toThrow(/only accepts <Series.Sequence> children/);
    const noDuration = (
      <Series>
        <Series.Sequence><Frame tag="a" /></Series.Sequence>
        <Series.Sequence durationInFrames={5}><Frame tag="b" /></Series.Sequence>
      </Series>
    );
    expect(() => at(0, noDuration)).toThrow(/#0: durationInFrames must be a finite number > 0 \(only the last part may omit it\)/);
    expect(() => at(0, <Series><Series.Sequence durationInFrames={5} offset={0.5} /></Series>)).toThrow(/offset must be an integer/);
    expect(() => at(0, <Series.Sequence durationInFrames={5} />)).toThrow(/direct child of <Series>/);
  });
});

describe('Loop', () => {
  it('repeats its children until the composition ends', () => {
    const loop = <Loop durationInFrames={30}><Frame tag="l" /></Loop>;
    expect(shown(0, loop)).toEqual(['l=0']);
    expect(shown(29, loop)).toEqual(['l=29']);
    expect(shown(30, loop)).toEqual(['l=0']);
    expect(shown(95, loop)).toEqual(['l=5']);
  });

  it('stops after `times` passes and tells its iteration', () => {
    function Pass() {
      const loop = Loop.useLoop();
      return <i>{`pass=${loop?.iteration}/${loop?.durationInFrames} f=${useCurrentFrame()}`}</i>;
    }
    const twice = <Loop durationInFrames={10} times={2}><Pass /></Loop>;
    expect(shown(5, twice)).toEqual(['pass=0/10 f=5']);
    expect(shown(15, twice)).toEqual(['pass=1/10 f=5']);
    expect(shown(20, twice)).toEqual([]);
    expect(shown(3, <Loop durationInFrames={10} times={0}><Pass /></Loop>)).toEqual([]);
  });

  it('counts from its enclosing Sequence', () => {
    expect(shown(57, <Sequence from={40}><Loop durationInFrames={5}><Frame tag="l" /></Loop></Sequence>)).toEqual(['l=2']);
  });

  it('refuses a bad duration or count', () => {
    expect(() => at(0, <Loop durationInFrames={0}><Frame tag="l" /></Loop>)).toThrow(/durationInFrames must be a finite number > 0/);
    expect(() => at(0, <Loop durationInFrames={5} times={1.5}><Frame tag="l" /></Loop>)).toThrow(/times must be an integer >= 0 or Infinity/);
  });
});

describe('Freeze', () => {
  it('shows one frame whatever the current frame', () => {
    const frozen = <Freeze frame={30}><Frame tag="f" /><Sequence from={10}><Frame tag="s" /></Sequence></Freeze>;
    expect(shown(0, frozen)).toEqual(['f=30', 's=20']);
    expect(shown(77, frozen)).toEqual(['f=30', 's=20']);
  });

  it('freezes only while active says so, judged on the parent frame', () => {
    const tree = <Sequence from={10}><Freeze frame={5} active={(f) => f >= 40}><Frame tag="f" /></Freeze></Sequence>;
    expect(shown(30, tree)).toEqual(['f=20']);
    expect(shown(50, tree)).toEqual(['f=5']);
    expect(shown(50, <Freeze frame={5} active={false}><Frame tag="f" /></Freeze>)).toEqual(['f=50']);
  });

  it('refuses a frame that is not finite', () => {
    expect(() => at(0, <Freeze frame={Infinity}><Frame tag="f" /></Freeze>)).toThrow(/frame must be a finite number/);
  });
});

describe('useCurrentScale', () => {
  function Scale() {
    return <i>{`scale=${useCurrentScale()}`}</i>;
  }

  it('is 1 when rendering and the player fit otherwise', () => {
    expect(at(0, <Scale />)).toContain('scale=1');
    expect(at(0, <Scale />, 0.5)).toContain('scale=0.5');
  });
});
