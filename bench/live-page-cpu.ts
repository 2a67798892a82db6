/**
 * Main-thread CPU of a landing page, for bench/live.ts: a Chromium trace
 * (Playwright's browser.startTracing) is read for the page's renderer main
 * thread, and the thread time (CPU, not wall: `tdur`) of what ran there from
 * navigation start to a moment the page reported (its first frame) is summed.
 */

/** Categories that give the renderer's top-level tasks and the script events inside them (the V8 sampler stays off: it costs CPU). */
export const PAGE_TRACE_CATEGORIES = ['-*', 'toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'blink.user_timing', 'loading'];

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { data?: { documentLoaderURL?: string; url?: string } };
}

export interface PageCpu {
  /** Every task of the main thread (parsing, style, layout, paint, scripts). */
  mainThreadMs: number;
  /** Scripts: the outermost script events (compile, evaluate, callbacks, microtasks, animation frames). */
  scriptMs: number;
  /** Of which the player bundle's compile and evaluation on the main thread (its parse is streamed on a background thread). */
  bundleEvaluationMs: number;
}

/** Script events; the outermost of nested ones is counted. */
const SCRIPT_EVENTS = new Set([
  'EvaluateScript',
  'v8.compile',
  'v8.compileModule',
  'v8.evaluateModule',
  'FunctionCall',
  'TimerFire',
  'FireAnimationFrame',
  'EventDispatch',
  'RunMicrotasks',
  'v8.callFunction',
]);
const TASKS = new Set(['ThreadControllerImpl::RunTask']);

/** Thread time of an event, counting only the part of it inside [from, to] (pro rata of its wall time). */
function cpuWithin(event: TraceEvent, from: number, to: number): number {
  const dur = event.dur ?? 0;
  const tdur = event.tdur ?? dur;
  const start = Math.max(event.ts, from);
  const end = Math.min(event.ts + dur, to);
  if (end <= start) return 0;
  return dur === 0 ? 0 : (tdur * (end - start)) / dur;
}

/** Sums thread time of events, skipping those nested in an already counted one. */
function outermost(events: TraceEvent[], from: number, to: number): number {
  let total = 0;
  let openUntil = -Infinity;
  for (const event of [...events].sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0))) {
    if (event.ts < openUntil) continue;
    openUntil = event.ts + (event.dur ?? 0);
    total += cpuWithin(event, from, to);
  }
  return total;
}

/**
 * The page's main-thread CPU from its navigation start to `untilMs` (a
 * `performance.now()` time of the page, whose origin is that navigation
 * start). `pageUrl` picks the renderer that loaded the page; `bundleFile`
 * (`player.js`, `bundle.js`) names the player bundle.
 */
export function pageCpu(trace: Buffer, pageUrl: string, untilMs: number, bundleFile: string): PageCpu {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const navigation = events.find((e) => e.name === 'navigationStart' && e.args?.data?.documentLoaderURL === pageUrl);
  if (!navigation) throw new Error(`no navigationStart for ${pageUrl} in the trace`);
  const from = navigation.ts;
  const to = from + untilMs * 1000;
  const main = events.filter((e) => e.pid === navigation.pid && e.tid === navigation.tid && e.ph === 'X');
  const ms = (us: number) => us / 1000;
  // v8.evaluateModule carries no URL: it follows the module's v8.compileModule (a classic bundle: EvaluateScript with its URL).
  const bundleEvents: TraceEvent[] = [];
  const sorted = [...main].sort((a, b) => a.ts - b.ts);
  sorted.forEach((event, i) => {
    const url = event.args?.data?.url ?? '';
    if (!url.endsWith(`/${bundleFile}`)) return;
    bundleEvents.push(event);
    if (event.name === 'v8.compileModule') {
      const evaluation = sorted.slice(i + 1).find((e) => e.name === 'v8.evaluateModule');
      if (evaluation) bundleEvents.push(evaluation);
    }
  });
  return {
    mainThreadMs: ms(outermost(main.filter((e) => TASKS.has(e.name)), from, to)),
    scriptMs: ms(outermost(main.filter((e) => SCRIPT_EVENTS.has(e.name)), from, to)),
    bundleEvaluationMs: ms(outermost(bundleEvents, from, to)),
  };
}
