/**
 * Finds the programs the repository's code, tests, benches and scripts
 * launch, for test/unit/scripts/launched-programs.test.ts. Read from the
 * sources, not declared by hand, so a new `spawn('x')` or a new command in a
 * shell script is seen without anyone remembering to list it.
 *
 * TypeScript: the first argument of spawn/execFile/exec (and promisified
 * aliases, or `promisify(execFile)(...)` called at once) when it is a
 * literal, `executablePath: '...'`, the names given to the binary lookups of
 * src/encode/check-dependencies.ts, and the defaults of `bin`-like constants (`const bin = options.x ?? 'redis-server'`).
 * Shell: the first word of every simple command (after `sudo`, `exec`,
 * `timeout N`, `xargs`...), less keywords, builtins, functions and variables;
 * `"$FFMPEG"` counts as the program of its default (`FFMPEG="${FFMPEG:-ffmpeg}"`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Launch {
  /** A bare name (`ffmpeg`) or an absolute path (`/usr/bin/chromium`). */
  program: string;
  /** `file:line` of the launch. */
  where: string;
}

const SPAWN = /\b(?:spawn|spawnSync|execFile|execFileSync|execSync|exec)\(\s*(['"`])([^'"`\s$]+)/g;
const PROMISIFIED = /\b(\w+)\s*=\s*promisify\((?:execFile|exec)\)/g;
/** `promisify(execFile)('ffmpeg', ...)`, called where it is made. */
const PROMISIFIED_CALL = /\bpromisify\((?:execFile|exec)\)\(\s*(['"`])([^'"`\s$]+)/g;
const EXECUTABLE_PATH = /\bexecutablePath:\s*(['"`])([^'"`$]+)\1/g;
const LOOKUP = /\b(?:checkBinary|locateBinary|searchPath)\(\s*(['"])([^'"]+)\1/g;
const BIN_DEFAULT = /\b(?:bin|[A-Z_]*BIN|HEADLESS_SHELL)\s*=\s*(?:[^;'"\n]*\?\?\s*)?(['"])([a-z/][\w./+-]*)\1/g;

/** Programs launched by one TypeScript or JavaScript file. */
export function launchesInScript(file: string, root: string): Launch[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const out: Launch[] = [];
  const add = (program: string, index: number) => out.push({ program, where: `${file}:${text.slice(0, index).split('\n').length}` });
  const patterns = [SPAWN, PROMISIFIED_CALL, EXECUTABLE_PATH, LOOKUP, BIN_DEFAULT];
  for (const alias of text.matchAll(PROMISIFIED)) patterns.push(new RegExp(`\\b${alias[1]}\\(\\s*(['"\`])([^'"\`\\s$]+)`, 'g'));
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) add(m[2]!, m.index!);
  return out;
}

const KEYWORDS = new Set('if then else elif fi for while until do done case esac in function select time coproc { } [[ ]] ! return'.split(' '));
const BUILTINS = new Set(
  ('alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs disown echo enable eval exec exit export ' +
    'false fc fg getopts hash help history jobs kill let local logout mapfile popd printf pushd pwd read readarray readonly set shift ' +
    'shopt source suspend test times trap true type typeset ulimit umask unalias unset wait . : [').split(' '),
);
/** Words that run the command after them: the program is the next word. */
const PREFIXES = new Set(['sudo', 'exec', 'command', 'nohup', 'xargs', 'time', 'env']);

/** Functions defined in shell files (gpu-check.sh calls the ones of the plan it sources). */
export function shellFunctions(files: string[], root: string): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    for (const m of readFileSync(path.join(root, file), 'utf8').matchAll(/^\s*(?:function\s+)?([\w-]+)\s*\(\)\s*\{?/gm)) names.add(m[1]!);
  }
  return names;
}

/** Programs launched by one shell script; `functions` are not programs. */
export function launchesInShell(file: string, root: string, functions: Set<string>): Launch[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const defaults = new Map<string, string>();
  for (const m of text.matchAll(/^\s*([A-Z_]+)="?\$\{\1:-([a-z][\w.+-]*)\}"?/gm)) defaults.set(m[1]!, m[2]!);
  const out: Launch[] = [];
  for (const { line, number } of commandLines(text)) {
    // A case arm's pattern (`--test)`, `cpu|gpu)`) comes before its commands; array values are not commands.
    const code = line.replace(/^\s*\(?[^\s()]+\)(?=\s|$)/, ' ').replace(/\b\w+\+?=\([^)]*\)/g, ' ');
    for (const segment of code.split(/\|\||&&|[|;&(){}`]|\$\(|\bthen\b|\bdo\b|\belse\b/)) {
      const words = segment.trim().split(/\s+/).filter(Boolean);
      if (['for', 'select', 'case'].includes(words[0] ?? '')) continue;
      let k = 0;
      while (k < words.length) {
        const w = words[k]!;
        if (/^\w+(\[[^\]]*\])?\+?=/.test(w) || KEYWORDS.has(w)) k++;
        else if (PREFIXES.has(w)) k += 1 + countOptions(words, k + 1);
        else if (w === 'timeout') k += 2 + countOptions(words, k + 1);
        else if (/^\$\{?sudo\b/.test(w)) k++;
        else break;
      }
      const word = words[k];
      if (!word) continue;
      const variable = /^\$\{?([A-Z_]+)\}?$/.exec(word);
      if (variable) {
        const program = defaults.get(variable[1]!);
        if (program) out.push({ program, where: `${file}:${number}` });
        continue;
      }
      // node_modules/.bin/tsx and the like come from npm ci, not from apt.
      if (!/^[a-z/][\w./+-]*$/.test(word) || /^(node_modules|bin)\//.test(word) || BUILTINS.has(word) || functions.has(word)) continue;
      out.push({ program: word, where: `${file}:${number}` });
    }
  }
  return out;
}

/** Arithmetic (`$((...))`) is a value, not a command list: the index of its last parenthesis. */
function arithmeticEnd(text: string, start: number): number {
  let open = 0;
  for (let j = start + 1; j < text.length; j++) {
    if (text[j] === '(') open++;
    else if (text[j] === ')' && --open === 0) return j;
  }
  return text.length;
}

function countOptions(words: string[], from: number): number {
  let n = 0;
  while (words[from + n]?.startsWith('-')) n++;
  return n;
}

/**
 * The script as logical lines (continuations joined, heredoc bodies
 * dropped) with quoted text blanked and comments removed, each with the
 * number of its first line. Kept from quoted text: a variable alone
 * (`"$FFMPEG"`, `"${sudo[@]}"`), which may be the command, and command
 * substitutions (`"$(dirname ...)"`), which run commands.
 */
function commandLines(text: string): { line: string; number: number }[] {
  let code = '';
  const stack: ('code' | '"' | "'")[] = ['code'];
  const depth: number[] = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const top = stack.at(-1)!;
    if (top === "'") {
      if (c === "'") stack.pop(), (code += ' ');
      else code += c === '\n' ? '\n' : '_';
    } else if (top === '"') {
      if (c === '\\') (code += '__'), i++;
      else if (c === '"') stack.pop(), (code += ' ');
      else if (text.startsWith('$((', i)) (code += '__'), (i = arithmeticEnd(text, i));
      else if (text.startsWith('$(', i)) stack.push('code'), depth.push(0), (code += '$('), i++;
      else code += c === '\n' ? '\n' : '_';
    } else {
      // A parameter expansion is one word, never a command list: `${x}` becomes `$x`.
      const lone = /^"\$\{?(\w+)(\[[^\]]*\])?\}?"/.exec(text.slice(i, i + 60));
      const expansion = /^\$\{(\w+)[^}]*\}/.exec(text.slice(i, i + 200));
      if (text.startsWith('$((', i)) (code += '$_'), (i = arithmeticEnd(text, i));
      else if (lone) (code += ` $${lone[1]}${lone[2] ?? ''} `), (i += lone[0].length - 1);
      else if (expansion) (code += `$${expansion[1]}`), (i += expansion[0].length - 1);
      else if (c === "'" || c === '"') stack.push(c), (code += ' ');
      else if (c === '\\') (code += text[i + 1] === '\n' ? ' \u0000' : '__'), i++;
      else if (c === '#' && (i === 0 || /[\s;]/.test(text[i - 1]!))) {
        while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      } else if (c === '(') depth[depth.length - 1]!++, (code += c);
      else if (c === ')' && depth.at(-1) === 0 && stack.length > 1) stack.pop(), depth.pop(), (code += c);
      else {
        if (c === ')') depth[depth.length - 1]!--;
        code += c;
      }
    }
  }
  const out: { line: string; number: number }[] = [];
  let heredoc: string | undefined;
  const raw = text.split('\n');
  code.split('\n').forEach((line, index) => {
    if (heredoc !== undefined) {
      if (raw[index]!.trim() === heredoc) heredoc = undefined;
      return;
    }
    const here = /<<-?\s*['"]?(\w+)/.exec(raw[index]!);
    if (here) heredoc = here[1];
    const previous = out.at(-1);
    // A line continued from the one before (marked \u0000) joins it.
    if (previous?.line.endsWith('\u0000')) previous.line = previous.line.slice(0, -1) + line;
    else out.push({ line, number: index + 1 });
  });
  return out;
}
