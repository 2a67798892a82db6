/** ISO 4217 codes this runtime knows (Intl's list: current currencies). */
const KNOWN = new Set<string>(Intl.supportedValuesOf('currency'));
const digitsCache = new Map<string, number>();

/** Whether `code` is an ISO 4217 currency code, upper case (`EUR`, `JPY`). */
export function isCurrencyCode(code: unknown): code is string {
  return typeof code === 'string' && /^[A-Z]{3}$/.test(code) && KNOWN.has(code);
}

/** Digits of the currency's minor unit: 2 for EUR, 0 for JPY, 3 for KWD. */
export function currencyDigits(code: string): number {
  let digits = digitsCache.get(code);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(code, digits);
  }
  return digits;
}

/**
 * A value in major units as a whole number of minor units (12.345 EUR is
 * 1235 cents, half away from zero). Revenue is summed in minor units, so
 * totals are exact whatever the number of orders.
 */
export function toMinorUnits(value: number, code: string): number {
  const scale = 10 ** currencyDigits(code);
  // toFixed rounds the decimal text, not the binary float: 1.005 EUR is 101 cents, not 100.
  return Math.round(Number((value * scale).toFixed(6)));
}

/** Minor units back to major units (1235 cents: 12.35). */
export function fromMinorUnits(minor: number, code: string): number {
  const digits = currencyDigits(code);
  return Number((minor / 10 ** digits).toFixed(digits));
}
