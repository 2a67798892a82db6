/**
 * A small static check of the farm's Lua: every key a `redis.call` touches
 * must come from KEYS, never be built in the script (`'{mastercut}:x:' ..
 * id`) nor read from the data. Redis Cluster only routes a script by the
 * keys it declares, and a key built inside it could live in another slot.
 *
 * It tracks names, not scopes (the farm's scripts reuse a name for one
 * meaning): a name holds a key when it is assigned a KEYS entry or another
 * key-holding name (whole, indexed `b[name]` or a field `b.touch`), is the
 * value variable of `ipairs(KEYS)`, is a table a key is stored into
 * (`c[name] = KEYS[i]`), is a local function that returns such a name, or
 * is the key variable of `pairs(t)` where `t`'s keys are keys
 * (`touched[key] = true`). Concatenation never yields a key.
 */

const KEYLESS = new Set(['TIME', 'PING']);
const IDENT = '[A-Za-z_][A-Za-z0-9_]*';

/** Splits on commas that are not inside (), [] or {}. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

/** Whether the bracket opened at `open` closes at the last character (`KEYS[f(ARGV[i])]`, not `KEYS[1] .. x[2]`). */
function closesAtEnd(e: string, open: number): boolean {
  let depth = 0;
  for (let i = open; i < e.length; i++) {
    if ('([{'.includes(e[i]!)) depth++;
    if (')]}'.includes(e[i]!)) depth--;
    if (depth === 0) return i === e.length - 1;
  }
  return false;
}

/** Whether an expression is a key: KEYS[..], or a key-holding name, whole, indexed, a field or called. */
function isKeyExpr(expr: string, keyNames: ReadonlySet<string>): boolean {
  const e = expr.trim();
  if (e.includes('..')) return false;
  if (e.startsWith('KEYS[') && closesAtEnd(e, 4)) return true;
  const m = new RegExp(`^(${IDENT})(\\[.*\\]|\\.${IDENT}|\\(.*\\))?$`).exec(e);
  return !!m && keyNames.has(m[1]!);
}

/** The right-hand side of an assignment, cut where the next statement on its line starts. */
function statementEnd(rhs: string): string {
  const m = new RegExp(`;|\\s(?:end|then|do|else|elseif|local|return|if|for|redis\\.p?call)\\b|\\s${IDENT}(?:\\[[^=]*?\\]|\\.${IDENT})?\\s*=(?!=)`).exec(rhs);
  return m ? rhs.slice(0, m.index) : rhs;
}

/** The argument list of the call whose `(` is at `open`, split at its top-level commas. */
function callArgs(text: string, open: number): string[] {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if ('([{'.includes(text[i]!)) depth++;
    if (')]}'.includes(text[i]!)) depth--;
    if (depth === 0) return splitTop(text.slice(open + 1, i));
  }
  return splitTop(text.slice(open + 1));
}

/** The names of the script that hold keys (see the file comment). */
export function keyHoldingNames(lua: string): Set<string> {
  const names = new Set<string>();
  const keySets = new Set<string>();
  const lines = lua.split('\n');
  for (let changed = true; changed; ) {
    const size = names.size + keySets.size;
    for (const [i, line] of lines.entries()) {
      for (const m of line.matchAll(new RegExp(`for\\s+${IDENT}\\s*,\\s*(${IDENT})\\s+in\\s+ipairs\\(KEYS\\)`, 'g'))) names.add(m[1]!);
      for (const m of line.matchAll(new RegExp(`for\\s+(${IDENT})\\s+in\\s+pairs\\((${IDENT})\\)`, 'g'))) if (keySets.has(m[2]!)) names.add(m[1]!);
      // Assignments: `[local] a, b.c, d[e] = x, y, z`, wherever they sit on the line.
      const target = `${IDENT}(?:\\[[^=\\n]*?\\]|\\.${IDENT})?`;
      for (const m of line.matchAll(new RegExp(`(?<![\\w.=~<>\\[])(${target}(?:\\s*,\\s*${target})*)\\s*=(?!=)\\s*([^\\n]*)`, 'g'))) {
        const targets = splitTop(m[1]!);
        const values = splitTop(statementEnd(m[2]!));
        targets.forEach((t, at) => {
          const valueIsKey = values.length === targets.length ? isKeyExpr(values[at]!, names) : values.some((v) => isKeyExpr(v, names));
          const indexed = new RegExp(`^(${IDENT})\\[(.*)\\]$`).exec(t);
          if (indexed && isKeyExpr(indexed[2]!, names)) keySets.add(indexed[1]!);
          if (valueIsKey) names.add(new RegExp(`^${IDENT}`).exec(t)![0]);
        });
      }
      // A local function whose body returns a key-holding name holds keys itself (its calls do).
      const fn = new RegExp(`^(\\s*)local function (${IDENT})\\(`).exec(line);
      if (fn) {
        // A one-line function ends on its own line; a longer one at the `end` indented as it is.
        const body = /\bend\s*$/.test(line) ? [line.replace(/\s*\bend\s*$/, '')] : lines.slice(i + 1, lines.indexOf(`${fn[1]}end`, i + 1));
        for (const bodyLine of body) {
          const ret = /\breturn\s+(.*)$/.exec(bodyLine);
          if (ret && isKeyExpr(ret[1]!, names)) names.add(fn[2]!);
        }
      }
    }
    changed = names.size + keySets.size !== size;
  }
  return names;
}

/** The `redis.call`/`redis.pcall` sites whose key does not come from KEYS, as `COMMAND arg`. */
export function undeclaredKeyUses(lua: string): string[] {
  const names = keyHoldingNames(lua);
  const bad: string[] = [];
  for (const m of lua.matchAll(/redis\.p?call\(/g)) {
    const [first, key] = callArgs(lua, m.index + m[0].length - 1);
    const command = /^'([A-Za-z]+)'$/.exec(first ?? '')?.[1]?.toUpperCase();
    if (!command) {
      bad.push(`(command not a literal) ${first}`);
      continue;
    }
    if (KEYLESS.has(command)) continue;
    if (!key || !isKeyExpr(key, names)) bad.push(`${command} ${key ?? '(no key)'}`);
  }
  return bad;
}

/** Every redis.call site of a script (for the check that it found some). */
export function callCount(lua: string): number {
  return [...lua.matchAll(/redis\.p?call\(/g)].length;
}
