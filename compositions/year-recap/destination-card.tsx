import { Img, interpolate, useCurrentFrame } from '../../src/composition/index.js';
import { INTER_STACK } from '../_shared/fonts.js';
import { enter, fixed3 } from '../_shared/motion.js';
import type { Rect } from '../_shared/rect.js';
import { cardStyle, labelStyle } from './card-chrome.js';

/** Props of {@link DestinationCard}. */
export interface DestinationCardProps {
  rect: Rect;
  unit: number;
  destination: string;
  /** Photo of the destination; a drawn sunset is shown without it. */
  imageUrl?: string;
}

/** Frames of the slow push-in on the photo; it ends well before the hold. */
const PUSH_FRAMES = 60;

/**
 * The top-destination scene: a photo (or, without one, a drawn sunset over
 * the sea) with the place name over a dark fade at the bottom. The push-in is
 * clamped, so the card is still by the time the closing scene lands.
 */
export function DestinationCard({ rect, unit: frameUnit, destination, imageUrl }: DestinationCardProps) {
  const frame = useCurrentFrame();
  const appear = enter(frame, 0, 20);
  const push = interpolate(frame, [0, PUSH_FRAMES], [1.08, 1], {
    extrapolateLeft: 'clamp',
    extrapolateRight: 'clamp',
  });
  const unit = Math.min(frameUnit, rect.w / 50);
  const pad = Math.round(unit * 3.2);
  // Two lines at most: size the name for about half its length per line.
  const nameSize = Math.floor(
    Math.min(unit * 6.4, ((rect.w - 2 * pad) * 2) / ((destination.length + 6) * 0.56)),
  );
  const mediaStyle = {
    position: 'absolute' as const,
    inset: 0,
    width: '100%',
    height: '100%',
    transform: `scale(${fixed3(push)})`,
  };

  return (
    <div style={{ ...cardStyle(rect, frameUnit, appear), fontFamily: INTER_STACK }}>
      {imageUrl ? (
        <Img src={imageUrl} style={{ ...mediaStyle, objectFit: 'cover' }} />
      ) : (
        <div style={mediaStyle}>
          <SunsetArt frame={frame} />
        </div>
      )}
      <div
        style={{
          position: 'absolute',
          inset: 0,
          background: 'linear-gradient(180deg, rgba(8, 10, 28, 0) 35%, rgba(8, 10, 28, 0.82) 100%)',
        }}
      />
      <div style={{ position: 'absolute', left: `${pad}px`, right: `${pad}px`, bottom: `${pad}px` }}>
        <div style={labelStyle(unit, '#f5c16c')}>Top destination</div>
        <div
          style={{
            marginTop: `${Math.round(unit * 1.2)}px`,
            fontSize: `${nameSize}px`,
            fontWeight: 800,
            lineHeight: 1.08,
            letterSpacing: '-0.02em',
            color: '#ffffff',
            display: '-webkit-box',
            WebkitLineClamp: 2,
            WebkitBoxOrient: 'vertical',
            overflow: 'hidden',
          }}
        >
          {destination}
        </div>
      </div>
    </div>
  );
}

/** A drawn sunset over the sea; the sun rises a little and stops. */
function SunsetArt({ frame }: { frame: number }) {
  const rise = enter(frame, 0, 50);
  return (
    <div
      style={{
        position: 'absolute',
        inset: 0,
        background: 'linear-gradient(180deg, #3a3f86 0%, #242a63 100%)',
      }}
    >
      {/* The sky clips the sun at the horizon. */}
      <div
        style={{
          position: 'absolute',
          left: 0,
          right: 0,
          top: 0,
          height: '62%',
          overflow: 'hidden',
          background: 'linear-gradient(180deg, #2b2a6e 0%, #c2537a 62%, #ffb36b 100%)',
        }}
      >
        <div
          style={{
            position: 'absolute',
            left: '50%',
            bottom: 0,
            height: '64%',
            aspectRatio: '1 / 1',
            borderRadius: '50%',
            background: 'radial-gradient(circle, #fff4d2 0%, #ffd07a 45%, #ff9b5e 100%)',
            boxShadow: '0 0 80px 20px rgba(255, 180, 110, 0.45)',
            transform: `translate(-50%, ${fixed3(58 - 40 * rise)}%)`,
          }}
        />
      </div>
      <div
        style={{
          position: 'absolute',
          left: 0,
          right: 0,
          top: '62%',
          bottom: 0,
          background:
            'repeating-linear-gradient(180deg, rgba(255, 210, 150, 0.18) 0px, rgba(255, 210, 150, 0.18) 2px, rgba(0, 0, 0, 0) 2px, rgba(0, 0, 0, 0) 14px)',
        }}
      />
    </div>
  );
}
