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
};

const help = `mastercut: personalized video from one Dynamic Master Template

commands:
  templates [id] [--schema]         list templates, or print one's props JSON Schema
  render <templateId> --out <file>  render a video or a still (see: mastercut render --help)
  still <templateId> --frame N --out <file.png>
  demo                              render the sample templates for the sample customers into ./out/demo
  serve [--port N]                  start the HTTP API
  worker render [--concurrency N]   start a render worker
`;

const [name, ...rest] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!command || name === '--help' || rest.includes('--help')) {
  process.stdout.write(help);
  process.exitCode = command || !name || name === '--help' ? 0 : 2;
} else {
  process.exitCode = await runCli(command, rest);
}
