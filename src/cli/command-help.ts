/**
 * The help of every command and subcommand, in one place: `mastercut --help`
 * lists each synopsis, `mastercut <command> [subcommand] --help` prints that
 * entry, and the commands quote their synopsis in usage errors. Plain text
 * only (no imports), so `--help` loads nothing else.
 * test/unit/cli/cli-help.test.ts checks that the README lists the same commands.
 */
export interface CommandHelp {
  /** The command words and their arguments, without `mastercut`. */
  synopsis: string;
  /** One line for the list in `mastercut --help`. */
  summary: string;
  /** What else to know: flags explained, environment, exit codes. */
  details?: string;
}

const WORKER_FLAGS = `worker flags:
  --grace-ms MS              on SIGTERM, how long active jobs may finish before they go back to the queue (default WORKER_SHUTDOWN_GRACE_MS)
  --eviction-check warn|refuse   what to do when Redis may evict keys (default REDIS_EVICTION_CHECK, refuse)
  --lock-duration-ms MS      --stalled-interval-ms MS   BullMQ job lock and stalled-job check
  --work-dir DIR             where outputs are written before they enter the store (default <tmp>/mastercut-work)
  --queue NAME               the queue to take jobs from (tests)
  --keep-completed-s S       --keep-failed-s S   how long finished jobs stay in Redis (they hold personal data)
  --keep-completed-count N   at most N completed jobs stay in Redis (default JOB_KEEP_COMPLETED_COUNT, 10000; 0: no cap)
  --metrics-port N           /metrics, /healthz, /readyz (default METRICS_PORT, 9464; 0: a free port)
Needs REDIS_URL: redis://host:port, or redis-cluster://host:port?seeds=host:port,... for a Redis Cluster.
Runs until SIGTERM/SIGINT: then it takes no new job, lets active ones finish within --grace-ms and
puts the rest back in the queue; a second signal puts them back at once. Exits non-zero at once, with
the reason, when its configuration is wrong.`;

const QUEUES = 'queues: render, transcode, webhooks. Durations: 90s, 15m, 2h, 7d, 1h30m. Talks to the farm\'s Redis directly (REDIS_URL).';

/** Every command path (`worker render`, `ops clean`...) with its help, in the order `mastercut --help` lists them. */
export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = {
  templates: { synopsis: 'templates [id] [--schema] [--json]', summary: "list templates, or print one template's props JSON Schema" },
  render: {
    synopsis: 'render <templateId> --out <file> [--props file.json] [--prop key=value ...] [--variant name] [--format mp4|webm|gif|jpg|png|webp] [--frames 0-59] [--concurrency N] [--quiet]',
    summary: 'render a video (or an image) of a template, with a progress bar',
    details: '--prop values are text where the schema wants a string, JSON otherwise; dotted keys set nested fields.',
  },
  still: { synopsis: 'still <templateId> --out <file.png> [--frame N] [--props file.json] [--prop key=value ...] [--variant name]', summary: 'render one frame as jpg, png or webp' },
  'init template': {
    synopsis: 'init template <id> [--dir compositions/] [--tests test/unit/templates-definitions/]',
    summary: 'scaffold a template: schema, component, variants, example props and a test, listed in the registry',
  },
  studio: {
    synopsis: 'studio [--port N] [--host ADDRESS] [--compositions DIR]',
    summary: 'template authoring in the browser: live player, props form, render, Live URL',
    details: `A local authoring server for templates; open the URL it prints in a browser:
the template list, every variant side by side with a timeline (scrub, step
with the arrow keys, Space plays), a props form made from the template's
JSON Schema with inline errors and stored examples (compositions/<id>/examples.json),
reload on save keeping the frame and props, a render button (the local engine,
into MASTERCUT_OUT_DIR/studio/), and "Copy Live URL" when STUDIO_FARM_URL and
STUDIO_FARM_API_KEY name a farm. Runs until SIGINT/SIGTERM.
  --port           default 3030; 0 picks a free port
  --host           default 127.0.0.1 (the studio has no authentication: keep it local)
  --compositions   default this project's compositions/`,
  },
  'zk-link': {
    synopsis: 'zk-link --template <id> --channel <name> --base-url https://farm.example (--props file.json | --prop key=value ...) [--campaign ID] [--pseudonymous-id ID] [--template-version HEX] [--json]',
    summary: 'mint a zero-knowledge link offline: props sealed, the key only in #k=',
    details: `Mints a zero-knowledge link on your side, offline: the props are checked
against the template schema and sealed with AES-256-GCM under a fresh key,
which goes only in the URL fragment (#k=...). Browsers never send the
fragment, so the farm never sees the key or the props; its page decrypts and
plays them in the browser, and "Download" makes the MP4 there too.

  --template            a template of compositions/ (mastercut templates)
  --channel             email, web, inapp, sms, social, callcenter, or one of the farm's own profiles
                        (picks the variant the page plays)
  --base-url            the farm's public origin; https (plain http only for localhost)
  --props / --prop      as for mastercut render; remote URLs are refused (the page loads
                        nothing from other hosts)
  --campaign            names the campaign engagement is counted under (as zk:<campaign>)
  --pseudonymous-id     8-64 of A-Z a-z 0-9 _ - (default: 128 random bits); engagement events
                        name it, so keep it with the customer in your CRM. Never an e-mail or name.
  --template-version    the bundle version the farm serves (GET /v1/templates/<id>); default:
                        the version of the templates in this checkout
  --json                print {url, pseudonymousId, templateId, templateVersion, channel, campaignId}

Prints the link on stdout (it holds the key: handle it like the props) and the
pseudonymous id on stderr. The farm renders nothing for these links: no email
GIF, poster or server MP4 (see README, Zero-knowledge links).`,
  },
  demo: {
    synopsis: 'demo [--once] [--local] [--template id] [--channels email,web] [--recipients file.csv]',
    summary: 'the farm in one command: Redis, the API, workers and a sample campaign',
    details: '--once exits when the campaign is done; --local renders three sample customers without Redis or the API.',
  },
  serve: { synopsis: 'serve [--port N] [--host ADDRESS]', summary: 'the HTTP API (needs REDIS_URL; port default API_PORT, 8080)' },
  'worker render': { synopsis: 'worker render [--concurrency N] [worker flags]', summary: 'a render worker: Chromium -> master MP4 (needs REDIS_URL)', details: WORKER_FLAGS },
  'worker transcode': {
    synopsis: 'worker transcode [--gpu-concurrency N] [--cpu-concurrency N] [--encoders auto|cpu|nvidia|vaapi] [worker flags]',
    summary: 'a transcode worker: channel deliverables from masters, on the GPU when one works',
    details: `Cuts channel deliverables (posters, GIFs, MP4s, HLS) from masters, on the GPU when one is
detected (NVENC, NVDEC, VAAPI), else on the CPU.\n${WORKER_FLAGS}`,
  },
  'worker webhooks': {
    synopsis: 'worker webhooks [--concurrency N] [worker flags]',
    summary: 'delivers engagement batches to CRM webhooks (signed) and CDP destinations (Segment batch calls), with retries',
    details: `Retries follow WEBHOOK_RETRY_SCHEDULE_S; --concurrency defaults to WEBHOOK_CONCURRENCY.\n${WORKER_FLAGS}`,
  },
  'campaign create': {
    synopsis: 'campaign create --template <id> --channels email,web --recipients <file.csv|file.jsonl> [--variant name] [--wait] [--out manifest.csv|manifest.jsonl] [--json]',
    summary: 'fan a recipient file out into renders (prerender)',
    details:
      'Talks to Redis directly (REDIS_URL); render workers do the renders. The fan-out runs in this command and keeps at most CAMPAIGN_WINDOW renders queued, ' +
      'so it returns once the last window is queued. Ctrl-C stops it at a chunk boundary and hands it to the API processes (mastercut serve), which resume it. ' +
      'Lazy and sticky campaigns: POST /v1/campaigns.',
  },
  'campaign resume': {
    synopsis: 'campaign resume <campaignId> [--wait] [--out file] [--json]',
    summary: 'goes on with the fan-out a stopped campaign create left, from its checkpoint',
    details:
      'Rows already queued are not queued again. Nothing to do when the fan-out has ended; when an API process is running it, says so. ' +
      'Ctrl-C hands it back to the API processes, as with create.',
  },
  'campaign status': { synopsis: 'campaign status <campaignId> [--wait] [--json]', summary: "a campaign's counts and progress" },
  'campaign manifest': { synopsis: 'campaign manifest <campaignId> [--out file] [--format csv|jsonl]', summary: "a campaign's output URLs per recipient and channel" },
  'campaign errors': { synopsis: 'campaign errors <campaignId>', summary: 'the invalid rows of a campaign: line, field paths and reasons (never values)' },
  'webhooks verify': {
    synopsis: "webhooks verify --secret whsec_... --id <webhook-id> --timestamp <webhook-timestamp> --signature '<webhook-signature>' (--body-file FILE | --body STRING) [--tolerance-s 300] [--now S]",
    summary: "checks a webhook delivery's signature",
    details: `Checks a Standard Webhooks signature the way mastercut signs deliveries, so a
CRM team can test their receiver. Pass the headers and the raw body exactly as
received (re-serialized JSON will not verify). Several --secret flags are
accepted (a secret being rotated). --now fixes "now" (seconds) to check a
recorded delivery. Exit code 0 when a signature matches, 1 when none does.`,
  },
  'ops status': { synopsis: 'ops status [--queue <name>] [--target-drain 1h] [--json]', summary: 'queues, workers, time to drain and recommended workers', details: QUEUES },
  'ops pause': { synopsis: 'ops pause <queue>', summary: 'workers stop taking jobs from a queue', details: QUEUES },
  'ops resume': { synopsis: 'ops resume <queue>', summary: 'workers take jobs from a paused queue again', details: QUEUES },
  'ops retry-failed': { synopsis: 'ops retry-failed <queue> [--since 2h] [--json]', summary: 'puts failed jobs back in the queue', details: QUEUES },
  'ops clean': { synopsis: 'ops clean <queue> --older-than 7d [--state completed|failed|delayed|wait|prioritized] [--json]', summary: 'removes old jobs of one state', details: QUEUES },
};

/** `mastercut --help`: one synopsis and summary per command. */
export function mainHelp(): string {
  const lines = Object.values(COMMAND_HELP).map((h) => `  ${h.synopsis}\n      ${h.summary}`);
  return `mastercut: personalized video from one Dynamic Master Template

usage: mastercut <command> [subcommand] [options]

commands:
${lines.join('\n')}

\`mastercut <command> [subcommand] --help\` shows one command's help.
Settings come from the environment: see .env.example.
`;
}

/** The usage lines of a command path and of every subcommand under it (`worker` gives all three workers). */
export function usageOf(path: string): string {
  const entries = Object.entries(COMMAND_HELP).filter(([name]) => name === path || name.startsWith(`${path} `));
  return entries.map(([, h], i) => `${i === 0 ? 'usage: ' : '       '}mastercut ${h.synopsis}`).join('\n');
}

/**
 * The help to print for `argv` (the words after `mastercut`) when it asks
 * for help (`--help` or `-h`), or undefined when it does not. The longest
 * known command path among the leading words wins: `worker render --help`
 * is the render worker's help, `worker --help` lists the three workers.
 */
export function helpFor(argv: readonly string[]): string | undefined {
  if (argv.length > 0 && !argv.includes('--help') && !argv.includes('-h')) return undefined;
  const words = argv.filter((a) => !a.startsWith('-'));
  for (let n = Math.min(words.length, 2); n > 0; n--) {
    const path = words.slice(0, n).join(' ');
    const help = COMMAND_HELP[path];
    if (help) return `usage: mastercut ${help.synopsis}\n\n${help.summary}\n${help.details ? `\n${help.details}\n` : ''}`;
    if (Object.keys(COMMAND_HELP).some((name) => name.startsWith(`${path} `))) return `${usageOf(path)}\n\n\`mastercut ${path} <subcommand> --help\` shows one subcommand's help.\n`;
  }
  return mainHelp();
}

/** Whether `name` is a command (`worker`) or the first word of one. */
export function isCommand(name: string): boolean {
  return Object.keys(COMMAND_HELP).some((path) => path === name || path.startsWith(`${name} `));
}
