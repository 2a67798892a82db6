import { helpFor, mainHelp } from './command-help.js';
import { runCli, type Command } from '../errors/index.js';

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

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const load = name === undefined ? undefined : commands[name];
  if (name !== undefined && !load && name !== '--help' && name !== '-h') {
    process.stderr.write(`mastercut: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  const help = helpFor(argv);
  if (help !== undefined || !load) {
    process.stdout.write(help ?? mainHelp());
    return 0;
  }
  return runCli(await load(), rest);
}

// Exit as soon as the command is done: a start-up error must not leave the
// process hanging on a handle it opened (a container would stay "Up").
process.exit(await main(process.argv.slice(2)));
