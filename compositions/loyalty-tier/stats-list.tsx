import { formatInteger } from '../_shared/format.js';
import { INTER_STACK } from '../_shared/fonts.js';
import { fixed3, px } from '../_shared/motion.js';
import { fitFontSize, rectStyle, type Rect } from '../_shared/rect.js';

/** One figure of the stats list. */
export interface StatItem {
  label: string;
  /** The value shown on this frame. */
  value: number;
  /** The widest value it will show: sizes the text so it never jumps. */
  sizingValue: number;
  /** Years are printed without a thousands separator. */
  plain?: boolean;
  /** Entrance progress, 0 to 1. */
  appear: number;
  accent?: string;
}

/** Props of {@link StatsList}. */
export interface StatsListProps {
  rect: Rect;
  unit: number;
  direction: 'row' | 'column';
  items: StatItem[];
}

/**
 * Labelled figures, in a row of equal columns under the bar (landscape) or a
 * column beside the meter (portrait, square), separated by hairlines.
 */
export function StatsList({ rect, unit, direction, items }: StatsListProps) {
  const row = direction === 'row';
  const gap = Math.round(unit * (row ? 3 : 2.5));
  const cellW = row ? (rect.w - gap * (items.length - 1)) / items.length : rect.w;
  const longest = Math.max(4, ...items.map((i) => show(i.sizingValue, i.plain).length));
  const valueSize = fitFontSize(cellW - unit * 3, longest, unit * (row ? 10 : 8.5), 0.62);

  return (
    <div
      style={{
        ...rectStyle(rect),
        display: 'flex',
        flexDirection: row ? 'row' : 'column',
        justifyContent: row ? 'space-between' : 'center',
        alignItems: row ? 'flex-start' : 'stretch',
        gap: `${gap}px`,
        fontFamily: INTER_STACK,
      }}
    >
      {items.map((item) => (
        <div
          key={item.label}
          style={{
            flex: row ? '1 1 0' : '0 0 auto',
            boxSizing: 'border-box',
            paddingLeft: `${Math.round(unit * 2.2)}px`,
            borderLeft: `${Math.max(2, Math.round(unit * 0.4))}px solid ${item.accent ?? 'rgba(255, 255, 255, 0.22)'}`,
            opacity: fixed3(item.appear),
            transform: `translateY(${px((1 - item.appear) * unit * 3)})`,
          }}
        >
          <div
            style={{
              fontSize: `${Math.round(unit * 2.2)}px`,
              fontWeight: 700,
              letterSpacing: '0.14em',
              textTransform: 'uppercase',
              lineHeight: 1.2,
              color: 'rgba(255, 255, 255, 0.62)',
              whiteSpace: 'nowrap',
            }}
          >
            {item.label}
          </div>
          <div
            style={{
              marginTop: `${Math.round(unit * 1)}px`,
              fontSize: `${valueSize}px`,
              fontWeight: 800,
              lineHeight: 1,
              letterSpacing: '-0.02em',
              fontVariantNumeric: 'tabular-nums',
              color: item.accent ?? '#ffffff',
              whiteSpace: 'nowrap',
            }}
          >
            {show(item.value, item.plain)}
          </div>
        </div>
      ))}
    </div>
  );
}

function show(value: number, plain?: boolean): string {
  return plain ? String(Math.round(value)) : formatInteger(value);
}
