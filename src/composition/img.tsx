import { useCallback, useLayoutEffect, useRef, type ImgHTMLAttributes, type ReactNode, type Ref } from 'react';
import { useRuntime } from './runtime-context.js';

export interface ImgProps extends Omit<ImgHTMLAttributes<HTMLImageElement>, 'src'> {
  src: string;
  ref?: Ref<HTMLImageElement>;
}

/**
 * Where an image comes from, for labels and errors. Only the host: paths and
 * query strings of personalised images may carry personal data.
 */
export function describeImageSource(src: string): string {
  try {
    const base = typeof document !== 'undefined' ? document.baseURI : 'http://localhost/';
    const url = new URL(src, base);
    if (url.protocol === 'data:') return 'data URI';
    if (url.protocol === 'blob:') return 'blob';
    return url.host || 'local file';
  } catch {
    return 'invalid URL';
  }
}

function assignRef<T>(ref: Ref<T> | undefined, value: T | null): void {
  if (typeof ref === 'function') ref(value);
  else if (ref) (ref as { current: T | null }).current = value;
}

/**
 * An <img> that, when rendering frames, holds the frame until the image is
 * loaded and decoded, so no frame is captured with a missing picture. A
 * failed image fails the render. In the live player it is a plain <img>.
 */
export function Img({ src, ref, ...rest }: ImgProps): ReactNode {
  const { mode, runtime } = useRuntime();
  const element = useRef<HTMLImageElement | null>(null);
  const setRef = useCallback(
    (node: HTMLImageElement | null) => {
      element.current = node;
      assignRef(ref, node);
    },
    [ref],
  );

  // A layout effect runs inside the page API's flushSync, so the hold exists
  // before seek() starts waiting.
  useLayoutEffect(() => {
    const img = element.current;
    if (mode !== 'render' || !img) return;
    const source = describeImageSource(src);
    const handle = runtime.delays.delay(`Img ${source}`);
    let settled = false;

    const done = (): void => {
      if (settled) return;
      settled = true;
      detach();
      // Pixels changed without a DOM mutation: the frame must be captured anew.
      runtime.invalidate();
      runtime.delays.release(handle);
    };
    const fail = (): void => {
      if (settled) return;
      settled = true;
      detach();
      runtime.delays.cancel(new Error(`<Img>: the image from ${source} could not be loaded or decoded`));
      runtime.delays.release(handle);
    };
    const decode = (): void => {
      img.decode().then(done, () => {
        // decode() also rejects when src changed meanwhile; only a broken current image is an error.
        if (!settled) fail();
      });
    };
    const detach = (): void => {
      img.removeEventListener('load', decode);
      img.removeEventListener('error', fail);
    };

    if (img.complete) {
      if (img.naturalWidth > 0) decode();
      else fail();
    } else {
      img.addEventListener('load', decode);
      img.addEventListener('error', fail);
    }
    return () => {
      settled = true;
      detach();
      runtime.delays.release(handle);
    };
  }, [src, mode, runtime]);

  // The live player shows a prefetch()ed copy when there is one.
  const shown = mode === 'player' ? runtime.prefetches.resolve(src) : src;
  return <img {...rest} ref={setRef} src={shown} />;
}
