/**
 * Throws when `options` holds a key that `caller` does not implement. A
 * Remotion option we do not support must fail loudly: silently ignoring it
 * would render a template that looks almost right. `hints` says, per key,
 * what to write instead. Keys whose value is `undefined` count as absent.
 */
export function refuseUnknownOptions(
  caller: string,
  options: object,
  known: readonly string[],
  hints: Readonly<Record<string, string>> = {},
): void {
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || known.includes(key)) continue;
    const hint = hints[key];
    throw new TypeError(
      `${caller}: option "${key}" is not supported${hint ? `: ${hint}` : ''} (supported: ${known.join(', ')})`,
    );
  }
}
