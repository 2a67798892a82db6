import { CSS_NAMED_COLOURS } from './css-named-colours.js';

/** An sRGB colour: r, g, b are integers in [0, 255], alpha lies in [0, 1]. */
export interface RgbaColour {
  r: number;
  g: number;
  b: number;
  alpha: number;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/;
const HUE_UNITS: Readonly<Record<string, number>> = { '': 1, deg: 1, grad: 0.9, rad: 180 / Math.PI, turn: 360 };

type Token = { value: number; percent: boolean };

function token(text: string): Token | null {
  const percent = text.endsWith('%');
  const body = percent ? text.slice(0, -1) : text;
  return NUMBER.test(body) ? { value: Number(body), percent } : null;
}

const clamp = (v: number, min: number, max: number): number => Math.min(max, Math.max(min, v));

function alphaOf(text: string | undefined): number | null {
  if (text === undefined) return 1;
  const t = token(text);
  if (!t) return null;
  return clamp(t.percent ? t.value / 100 : t.value, 0, 1);
}

function hueOf(text: string): number | null {
  const match = /^(.*?)(deg|grad|rad|turn)?$/.exec(text)!;
  const t = token(match[1]!);
  if (!t || t.percent) return null;
  const degrees = t.value * HUE_UNITS[match[2] ?? '']!;
  return ((degrees % 360) + 360) % 360;
}

function fromHex(hex: string): RgbaColour {
  const full = hex.length <= 4 ? [...hex].map((c) => c + c).join('') : hex;
  const byte = (i: number): number => Number.parseInt(full.slice(i * 2, i * 2 + 2), 16);
  return { r: byte(0), g: byte(1), b: byte(2), alpha: full.length === 8 ? byte(3) / 255 : 1 };
}

function fromRgb(parts: string[], legacy: boolean): Omit<RgbaColour, 'alpha'> | null {
  const channels = parts.map(token);
  if (channels.some((c) => c === null)) return null;
  // The comma syntax wants all numbers or all percentages; the space syntax may mix them.
  if (legacy && new Set(channels.map((c) => c!.percent)).size > 1) return null;
  const [r, g, b] = channels.map((c) => Math.round(clamp(c!.percent ? (c!.value * 255) / 100 : c!.value, 0, 255)));
  return { r: r!, g: g!, b: b! };
}

function fromHsl(parts: string[]): Omit<RgbaColour, 'alpha'> | null {
  const hue = hueOf(parts[0]!);
  const s = token(parts[1]!);
  const l = token(parts[2]!);
  if (hue === null || !s?.percent || !l?.percent) return null;
  const sat = clamp(s.value / 100, 0, 1);
  const light = clamp(l.value / 100, 0, 1);
  // CSS Color 4, §7.1: each channel from its own phase of the hue circle.
  const channel = (n: number): number => {
    const k = (n + hue / 30) % 12;
    const a = sat * Math.min(light, 1 - light);
    return Math.round((light - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))) * 255);
  };
  return { r: channel(0), g: channel(8), b: channel(4) };
}

/**
 * Parses the CSS colours that every browser renders the same way: named
 * colours, `transparent`, `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, and
 * `rgb()`, `rgba()`, `hsl()`, `hsla()` in the comma or the space syntax
 * (`rgb(255 0 0 / 50%)`). Out-of-range channels are clamped, as CSS does.
 * Returns null for anything else (`currentColor`, `lab()`, `color()`, typos).
 */
export function parseCssColour(text: string): RgbaColour | null {
  if (typeof text !== 'string') return null;
  const s = text.trim().toLowerCase();
  if (s === 'transparent') return { r: 0, g: 0, b: 0, alpha: 0 };
  const named = CSS_NAMED_COLOURS.get(s);
  if (named !== undefined) return { r: named >> 16, g: (named >> 8) & 255, b: named & 255, alpha: 1 };
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(s);
  if (hex) return fromHex(hex[1]!);

  const fn = /^(rgba?|hsla?)\((.*)\)$/.exec(s);
  if (!fn) return null;
  const args = fn[2]!.trim();
  const legacy = args.includes(',');
  let parts: string[];
  let alphaText: string | undefined;
  if (legacy) {
    parts = args.split(',').map((p) => p.trim());
    if (parts.length === 4) alphaText = parts.pop();
  } else {
    const [main, alpha, extra] = args.split('/').map((p) => p.trim());
    if (extra !== undefined || alpha === '') return null;
    parts = main!.split(/\s+/);
    alphaText = alpha;
  }
  if (parts.length !== 3 || parts.some((p) => p === '')) return null;
  const alpha = alphaOf(alphaText);
  const rgb = fn[1]!.startsWith('rgb') ? fromRgb(parts, legacy) : fromHsl(parts);
  return rgb && alpha !== null ? { ...rgb, alpha } : null;
}
