/**
 * Number formatting shared by the templates. Pinned to 'en-US' so Node (tests,
 * stills) and Chromium (renders) print exactly the same string, whatever the
 * machine's locale.
 *
 * Plain JavaScript, not `Intl.NumberFormat`: the first Intl object of a page
 * loads ICU's locale data, which cost the landing page about 10-15 ms of
 * main-thread CPU while its player bundle was evaluated (profiled with
 * bench/live.ts). The output is the same as
 * `new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })` for every
 * rounded value (test/unit/templates/format-integer.test.ts checks it);
 * values beyond the safe integers and non-finite ones, which no template
 * shows, still go through Intl.
 */
let intlFallback: Intl.NumberFormat | undefined;

/** Formats an integer with thousands separators: 12345 -> "12,345". */
export function formatInteger(value: number): string {
  const rounded = Math.round(value);
  if (!Number.isSafeInteger(rounded)) {
    intlFallback ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
    return intlFallback.format(rounded);
  }
  const sign = rounded < 0 || Object.is(rounded, -0) ? '-' : '';
  const digits = Math.abs(rounded).toFixed(0);
  return sign + digits.replace(/\B(?=(\d{3})+$)/g, ',');
}
