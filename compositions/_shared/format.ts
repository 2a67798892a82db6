/**
 * Number formatting shared by the templates. Pinned to 'en-US' so Node (tests,
 * stills) and Chromium (renders) print exactly the same string, whatever the
 * machine's locale.
 */
const NUMBER_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Formats an integer with thousands separators: 12345 -> "12,345". */
export function formatInteger(value: number): string {
  return NUMBER_FORMAT.format(Math.round(value));
}
