import { AbsoluteFill } from '../../src/composition/index.js';

/** Props of {@link Backdrop}. */
export interface BackdropProps {
  /** Colour of the warm glow in the top-left corner. */
  accent?: string;
}

/**
 * The still, deep-navy background shared by the hospitality templates: a
 * vertical gradient with two soft glows. It never moves, so it costs nothing
 * on held frames.
 */
export function Backdrop({ accent = 'rgba(245, 193, 108, 0.22)' }: BackdropProps) {
  return (
    <AbsoluteFill
      style={{
        background: [
          `radial-gradient(ellipse 70% 55% at 8% 0%, ${accent} 0%, rgba(0, 0, 0, 0) 70%)`,
          'radial-gradient(ellipse 60% 60% at 100% 100%, rgba(96, 125, 255, 0.20) 0%, rgba(0, 0, 0, 0) 70%)',
          'linear-gradient(160deg, #0d1326 0%, #16203d 55%, #231a38 100%)',
        ].join(', '),
      }}
    />
  );
}
