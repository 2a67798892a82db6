import { Children, Fragment, isValidElement, type ReactElement, type ReactNode } from 'react';
import { Sequence, type SequenceProps } from './sequence.js';

export interface SeriesSequenceProps extends Omit<SequenceProps, 'from'> {
  /** How many frames this part lasts. Required, except on the last part (default: until the end). */
  durationInFrames?: number;
  /**
   * Integer frames to shift this part (and every part after it) by: positive
   * leaves a gap before it, negative overlaps the previous part. Default 0.
   */
  offset?: number;
}

/** One part of a <Series>; it renders nothing on its own. */
function SeriesSequence(_props: SeriesSequenceProps): ReactNode {
  throw new Error('<Series.Sequence> must be a direct child of <Series>');
}

/** Children with fragments flattened, blank text dropped. */
function parts(children: ReactNode): ReactNode[] {
  return Children.toArray(children).flatMap((child) =>
    isValidElement<{ children?: ReactNode }>(child) && child.type === Fragment ? parts(child.props.children) : [child],
  );
}

function label(props: SeriesSequenceProps, index: number): string {
  return `<Series.Sequence${props.name ? ` name="${props.name}"` : ''}> #${index}`;
}

/**
 * Plays its <Series.Sequence> children one after another: each starts when
 * the previous one ends (plus its `offset`), and counts its own frames from 0.
 *
 * @example
 * <Series>
 *   <Series.Sequence durationInFrames={40}><Intro /></Series.Sequence>
 *   <Series.Sequence durationInFrames={60} offset={-10}><Offer /></Series.Sequence>
 * </Series>
 */
export function Series({ children }: { children?: ReactNode }): ReactNode {
  const list = parts(children).filter((child) => !(typeof child === 'string' && child.trim() === ''));
  let start = 0;
  return list.map((child, index) => {
    if (!isValidElement<SeriesSequenceProps>(child) || child.type !== SeriesSequence) {
      throw new TypeError(`<Series> only accepts <Series.Sequence> children, got ${typeof child === 'object' ? 'another element' : JSON.stringify(child)}`);
    }
    const { durationInFrames = Infinity, offset = 0, children: content, ...rest } = child.props;
    const isLast = index === list.length - 1;
    if (!(durationInFrames > 0) || (!isLast && !Number.isFinite(durationInFrames))) {
      throw new RangeError(`${label(child.props, index)}: durationInFrames must be a finite number > 0${isLast ? '' : ' (only the last part may omit it)'}, got ${String(durationInFrames)}`);
    }
    if (!Number.isInteger(offset)) throw new RangeError(`${label(child.props, index)}: offset must be an integer, got ${String(offset)}`);
    const from = start + offset;
    start = from + durationInFrames;
    return (
      <Sequence key={(child as ReactElement).key ?? index} {...rest} from={from} durationInFrames={durationInFrames}>
        {content}
      </Sequence>
    );
  });
}

Series.Sequence = SeriesSequence;
