/**
 * The statistics behind LTV by cohort: a t interval of a mean from its
 * sufficient statistics (n, sum, sum of squares: recipients without a
 * conversion are zeros and need no row of their own), and the interval of
 * the lift of one mean over another (a ratio) by the delta method on the
 * log of the ratio with Welch-Satterthwaite degrees of freedom. Pure.
 */

/** A sample summarized: its size, sum and sum of squares. */
export interface SampleSums {
  n: number;
  sum: number;
  sumSq: number;
}

/** A two-sided 95% interval. */
export interface Interval {
  low: number;
  high: number;
}

const Z_FALLBACK_DF = 1e7;

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: ~15 significant digits). */
function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const y = x - 1;
  let a = c[0]!;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    for (const step of [(m * (b - m) * x) / ((a + m2 - 1) * (a + m2)), (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))]) {
      d = 1 + step * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + step / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T <= t) for Student's t with `df` degrees of freedom (df may be fractional). */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The `p` quantile (0.5 < p < 1) of Student's t: bisection on the CDF, to 1e-10. */
export function studentTQuantile(p: number, df: number): number {
  if (df >= Z_FALLBACK_DF) df = Z_FALLBACK_DF;
  let low = 0;
  let high = 1;
  while (studentTCdf(high, df) < p) high *= 2;
  for (let i = 0; i < 200 && high - low > 1e-10; i++) {
    const mid = (low + high) / 2;
    if (studentTCdf(mid, df) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** Mean and unbiased variance; null variance below two values. */
export function meanAndVariance(s: SampleSums): { mean: number; variance: number | null } {
  const mean = s.n === 0 ? 0 : s.sum / s.n;
  if (s.n < 2) return { mean, variance: null };
  // Guarded against a tiny negative from rounding when every value is equal.
  return { mean, variance: Math.max(0, (s.sumSq - s.n * mean * mean) / (s.n - 1)) };
}

/** The 95% t interval of the mean; null below two values. */
export function meanInterval(s: SampleSums): Interval | null {
  const { mean, variance } = meanAndVariance(s);
  if (variance === null) return null;
  const half = studentTQuantile(0.975, s.n - 1) * Math.sqrt(variance / s.n);
  return { low: mean - half, high: mean + half };
}

/**
 * The lift of mean A over mean B, `A / B - 1`, with its 95% interval:
 * exp(log(A/B) ± t · se) - 1 where se² = varA/(nA·A²) + varB/(nB·B²) (the
 * delta method on the log) and t has the Welch-Satterthwaite degrees of
 * freedom of those two terms. Null when a mean is not positive or a sample
 * has fewer than two values.
 */
export function liftInterval(a: SampleSums, b: SampleSums): { value: number; ci95: Interval } | null {
  const A = meanAndVariance(a);
  const B = meanAndVariance(b);
  if (A.variance === null || B.variance === null || A.mean <= 0 || B.mean <= 0) return null;
  const termA = A.variance / (a.n * A.mean * A.mean);
  const termB = B.variance / (b.n * B.mean * B.mean);
  const se = Math.sqrt(termA + termB);
  const log = Math.log(A.mean / B.mean);
  const df = se === 0 ? Z_FALLBACK_DF : (termA + termB) ** 2 / (termA ** 2 / (a.n - 1) + termB ** 2 / (b.n - 1));
  const half = studentTQuantile(0.975, df) * se;
  return { value: A.mean / B.mean - 1, ci95: { low: Math.exp(log - half) - 1, high: Math.exp(log + half) - 1 } };
}
