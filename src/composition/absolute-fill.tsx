import type { CSSProperties, HTMLAttributes, ReactNode, Ref } from 'react';

export interface AbsoluteFillProps extends HTMLAttributes<HTMLDivElement> {
  ref?: Ref<HTMLDivElement>;
  children?: ReactNode;
}

const FILL: CSSProperties = {
  position: 'absolute',
  top: 0,
  right: 0,
  bottom: 0,
  left: 0,
  width: '100%',
  height: '100%',
  display: 'flex',
  flexDirection: 'column',
};

/**
 * A layer covering its positioned parent (inset 0), laid out as a flex
 * column. `style` is merged over the defaults.
 */
export function AbsoluteFill({ style, ...rest }: AbsoluteFillProps): ReactNode {
  return <div {...rest} style={style ? { ...FILL, ...style } : FILL} />;
}
