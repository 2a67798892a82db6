import { campaignCommand } from './commands/campaign-command.js';
import { webhooksCommand } from './commands/webhooks-command.js';
import { opsCommand } from './commands/ops-command.js';
import { demoCommand } from './commands/demo-command.js';
import { renderCommand } from './commands/render-command.js';
import { serveCommand } from './commands/serve-command.js';
import { workerCommand } from './commands/worker-command.js';
import { templatesCommand } from './commands/templates-command.js';
import { runCli, type Command } from './run-cli.js';

const commands: Record<string, Command> = {
  templates: templatesCommand,
  render: renderCommand('render'),
  still: renderCommand('still'),
  demo: demoCommand,
  serve: serveCommand,
  worker: workerCommand,
  campaign: campaignCommand,
  webhooks: webhooksCommand,
  ops: opsCommand,
};

const help = `mastercut: personalized video from one Dynamic Master Template

commands:
  templates [id] [--schema]         list templates, or print one's props JSON Schema
  render <templateId> --out <file>  render a video or a still
       [--props file.json] [--prop key=value ...] [--variant name] [--format mp4|webm|gif|jpg|png|webp]
       [--frames 0-59] [--concurrency N]
  still <templateId> --frame N --out <file.png>
  demo [--once] [--local]           the farm in one command: Redis, API, a worker and a sample campaign
  serve [--port N]                  start the HTTP API (needs REDIS_URL)
  worker render [--concurrency N]   start a render worker (needs REDIS_URL)
  campaign create --template <id> --channels email,web --recipients <file.csv|.jsonl> [--wait] [--out manifest.csv]
  campaign status|manifest|errors <campaignId>
  webhooks verify --secret whsec_... --id .. --timestamp .. --signature '..' (--body-file F | --body S)
  worker webhooks [--concurrency N]  start a webhook delivery worker (needs REDIS_URL)
  ops status [--queue q] [--target-drain 1h] [--json]   queues, workers, time to drain, recommended workers
  ops pause|resume <queue>  |  ops retry-failed <queue> [--since 2h]  |  ops clean <queue> --older-than 7d [--state s]

Settings come from the environment: see .env.example.
`;

const [name, ...rest] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!command || name === '--help' || rest.includes('--help')) {
  process.stdout.write(help);
  process.exitCode = command || !name || name === '--help' ? 0 : 2;
} else {
  process.exitCode = await runCli(command, rest);
}
