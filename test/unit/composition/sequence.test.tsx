import { renderToString } from 'react-dom/server';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import {
  AbsoluteFill,
  CompositionRoot,
  Sequence,
  useCurrentFrame,
  useVideoConfig,
  type VideoConfig,
} from '../../../src/composition/index.js';

const config: VideoConfig = { width: 64, height: 36, fps: 30, durationInFrames: 100, variant: 'landscape' };

function at(frame: number, children: ReactNode): string {
  return renderToString(<CompositionRoot frame={frame} config={config}>{children}</CompositionRoot>);
}

function Frame({ tag }: { tag: string }) {
  return <i>{`${tag}=${useCurrentFrame()}`}</i>;
}

describe('Sequence', () => {
  it('gives children frame - from', () => {
    expect(at(25, <Sequence from={10}><Frame tag="a" /></Sequence>)).toContain('a=15');
    expect(at(25, <Frame tag="top" />)).toContain('top=25');
  });

  it('composes nested offsets', () => {
    const tree = (
      <Sequence from={10}>
        <Frame tag="outer" />
        <Sequence from={5}>
          <Frame tag="inner" />
        </Sequence>
      </Sequence>
    );
    const html = at(30, tree);
    expect(html).toContain('outer=20');
    expect(html).toContain('inner=15');
  });

  it('renders only inside [from, from + durationInFrames)', () => {
    const tree = <Sequence from={10} durationInFrames={5}><Frame tag="s" /></Sequence>;
    expect(at(9, tree)).not.toContain('s=');
    expect(at(10, tree)).toContain('s=0');
    expect(at(14, tree)).toContain('s=4');
    expect(at(15, tree)).not.toContain('s=');
  });

  it('lets a child sequence be cut by its parent window', () => {
    const tree = (
      <Sequence from={10} durationInFrames={5}>
        <Sequence from={2}><Frame tag="c" /></Sequence>
      </Sequence>
    );
    expect(at(13, tree)).toContain('c=1');
    expect(at(15, tree)).not.toContain('c=');
  });

  it('wraps in an absolute fill unless layout is none', () => {
    const filled = at(0, <Sequence><b>x</b></Sequence>);
    expect(filled).toMatch(/<div style="position:absolute;top:0;right:0;bottom:0;left:0;width:100%;height:100%;display:flex;flex-direction:column"><b>x<\/b><\/div>/);
    expect(at(0, <Sequence layout="none"><b>x</b></Sequence>)).toBe('<b>x</b>');
  });

  it('renders the same markup for the same frame', () => {
    const tree = <Sequence from={3}><Frame tag="d" /></Sequence>;
    expect(at(7, tree)).toBe(at(7, tree));
  });

  it('rejects a non-positive duration', () => {
    expect(() => at(0, <Sequence durationInFrames={0}><b /></Sequence>)).toThrow(/durationInFrames must be > 0/);
  });
});

describe('AbsoluteFill and hooks', () => {
  it('merges style over the fill', () => {
    const html = at(0, <AbsoluteFill style={{ backgroundColor: 'red', flexDirection: 'row' }} className="k" />);
    expect(html).toContain('class="k"');
    expect(html).toContain('flex-direction:row');
    expect(html).toContain('background-color:red');
  });

  it('useVideoConfig returns the config and both hooks throw outside a composition', () => {
    function Size() {
      const c = useVideoConfig();
      return <span>{`${c.width}x${c.height}@${c.fps} ${c.variant}`}</span>;
    }
    expect(at(0, <Size />)).toContain('64x36@30 landscape');
    expect(() => renderToString(<Size />)).toThrow(/outside a composition/);
    expect(() => renderToString(<Frame tag="z" />)).toThrow(/outside a composition/);
  });
});
