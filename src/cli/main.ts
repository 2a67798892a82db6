import { runCli, type Command } from './run-cli.js';

// Each command is imported when it runs: `ops` or `webhooks verify` must not
// pay for loading the renderer, the campaign service and the API.
const commands: Record<string, () => Promise<Command>> = {
  templates: async () => (await import('./commands/templates-command.js')).templatesCommand,
  init: async () => (await import('./commands/init-command.js')).initCommand,
  render: async () => (await import('./commands/render-command.js')).renderCommand('render'),
  still: async () => (await import('./commands/render-command.js')).renderCommand('still'),
  demo: async () => (await import('./commands/demo-command.js')).demoCommand,
  serve: async () => (await import('./commands/serve-command.js')).serveCommand,
  worker: async () => (await import('./commands/worker-command.js')).workerCommand,
  campaign: async () => (await import('./commands/campaign-command.js')).campaignCommand,
  webhooks: async () => (await import('./commands/webhooks-command.js')).webhooksCommand,
  ops: async () => (await import('./commands/ops-command.js')).opsCommand,
  studio: async () => (await import('./commands/studio-command.js')).studioCommand,
  'zk-link': async () => (await import('./commands/zk-link-command.js')).zkLinkCommand,
};

/** Commands that answer `--help` with their own usage. */
const ownHelp = new Set(['studio', 'zk-link']);

const help = `mastercut: personalized video from one Dynamic Master Template

commands:
  templates [id] [--schema]         list templates, or print one's props JSON Schema
  render <templateId> --out <file>  render a video or a still
       [--props file.json] [--prop key=value ...] [--variant name] [--format mp4|webm|gif|jpg|png|webp]
       [--frames 0-59] [--concurrency N]
  still <templateId> --frame N --out <file.png>
  init template <id> [--dir D] [--tests D]  scaffold a template: schema, component, variants, example props, test
  demo [--once] [--local]           the farm in one command: Redis, API, a worker and a sample campaign
  serve [--port N]                  start the HTTP API (needs REDIS_URL)
  worker render [--concurrency N]   start a render worker (needs REDIS_URL)
  campaign create --template <id> --channels email,web --recipients <file.csv|.jsonl> [--wait] [--out manifest.csv]
  campaign status|manifest|errors <campaignId>
  webhooks verify --secret whsec_... --id .. --timestamp .. --signature '..' (--body-file F | --body S)
  worker webhooks [--concurrency N]  start a webhook delivery worker (needs REDIS_URL)
  ops status [--queue q] [--target-drain 1h] [--json]   queues, workers, time to drain, recommended workers
  ops pause|resume <queue>  |  ops retry-failed <queue> [--since 2h]  |  ops clean <queue> --older-than 7d [--state s]
  studio [--port N] [--host ADDRESS]  template authoring in the browser: live player, props form, render (--help)
  zk-link --template <id> --channel web --base-url https://farm.example (--props F | --prop k=v ...)
       [--campaign ID] [--pseudonymous-id ID]   mint a zero-knowledge link offline: props sealed, key in #k= (--help)

Settings come from the environment: see .env.example.
`;

const [name, ...rest] = process.argv.slice(2);
const load = name ? commands[name] : undefined;
if (!load || name === '--help' || (rest.includes('--help') && !ownHelp.has(name))) {
  process.stdout.write(help);
  process.exitCode = load || !name || name === '--help' ? 0 : 2;
} else {
  process.exitCode = await runCli(await load(), rest);
}
