import { z } from 'zod';
import { AbsoluteFill, defineTemplate, useCurrentFrame } from '../../src/composition/index.js';

/**
 * The benchmark composition. Its look is fixed on purpose (render benchmarks
 * and golden tests compare against it): change nothing here without updating
 * the benchmark figures. Every value moves on every frame, so it also
 * measures the worst case, where no captured frame can be reused.
 */
export const referenceSchema = z.object({
  name: z.string().min(1).max(40),
  points: z.number().int().min(0).max(10_000_000),
});

type ReferenceProps = z.output<typeof referenceSchema>;

const DURATION = 150;

function Reference({ name, points }: ReferenceProps) {
  const frame = useCurrentFrame();
  const p = frame / DURATION;
  const earned = Math.round(points * Math.min(1, 2 * p)).toLocaleString('en-US');
  return (
    <AbsoluteFill style={{ background: 'linear-gradient(135deg, #1e3c72, #2a5298)' }}>
      <div
        style={{
          position: 'absolute',
          top: '200px',
          left: '100px',
          fontSize: '72px',
          fontWeight: 'bold',
          color: 'white',
          fontFamily: 'sans-serif',
          transform: `translateX(${Math.sin(p * 6.28) * 100}px) scale(${1 + 0.3 * p})`,
          opacity: Math.min(1, frame / 20),
        }}
      >
        {`Hello, ${name}`}
      </div>
      <div
        style={{
          position: 'absolute',
          top: '320px',
          left: '100px',
          fontSize: '40px',
          color: '#ffd',
          fontFamily: 'sans-serif',
        }}
      >
        {`You earned ${earned} points`}
      </div>
      <div
        style={{
          position: 'absolute',
          top: '400px',
          left: `${p * 1080}px`,
          width: '200px',
          height: '200px',
          borderRadius: '50%',
          background: 'radial-gradient(#ff0, #f80)',
        }}
      />
    </AbsoluteFill>
  );
}

/** Benchmark template: 1280x720, 30 fps, 150 frames, no fonts, no audio. */
export default defineTemplate({
  id: 'reference',
  title: 'Reference benchmark',
  description: 'Fixed benchmark composition: a moving greeting, a count-up line and a sliding circle.',
  schema: referenceSchema,
  defaultProps: { name: 'Dana', points: 12345 },
  fps: 30,
  durationInFrames: DURATION,
  variants: { landscape: { width: 1280, height: 720 } },
  component: Reference,
  posterFrame: 149,
});
