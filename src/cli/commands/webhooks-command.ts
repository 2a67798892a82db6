import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { verifyWebhookSignature } from '../../engagement/index.js';
import { usageOf } from '../command-help.js';
import { usageError } from '../../errors/index.js';

const usage = usageOf('webhooks');

/** `mastercut webhooks <subcommand>`: `verify` only, for now. */
export async function webhooksCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'verify') throw usageError(`${sub ? `unknown webhooks subcommand "${sub}"` : 'missing subcommand'}\n${usage}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      secret: { type: 'string', multiple: true },
      id: { type: 'string' },
      timestamp: { type: 'string' },
      signature: { type: 'string' },
      body: { type: 'string' },
      'body-file': { type: 'string' },
      'tolerance-s': { type: 'string' },
      now: { type: 'string' },
    },
  });
  const missing = (['secret', 'id', 'timestamp', 'signature'] as const).filter((k) => values[k] === undefined).map((k) => `--${k}`);
  if (missing.length > 0) throw usageError(`missing ${missing.join(', ')}\n${usage}`);
  if ((values.body === undefined) === (values['body-file'] === undefined)) throw usageError(`give exactly one of --body or --body-file\n${usage}`);
  const tolerance = values['tolerance-s'] === undefined ? 300 : Number(values['tolerance-s']);
  if (!Number.isInteger(tolerance) || tolerance < 0) throw usageError('--tolerance-s must be a whole number of seconds >= 0');
  const now = values.now === undefined ? undefined : Number(values.now);
  if (now !== undefined && !Number.isInteger(now)) throw usageError('--now must be whole seconds since the epoch');
  let body: Buffer | string;
  if (values['body-file'] !== undefined) {
    try {
      body = await readFile(values['body-file']);
    } catch (err) {
      throw usageError(`cannot read --body-file ${values['body-file']}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  } else body = values.body!;

  const result = verifyWebhookSignature({
    secret: values.secret!,
    id: values.id!,
    timestamp: values.timestamp!,
    signature: values.signature!,
    body,
    toleranceSeconds: tolerance,
    ...(now !== undefined ? { nowSeconds: now } : {}),
  });
  if (result.ok) {
    const which = values.secret!.length > 1 ? ` with secret #${result.secretIndex + 1}` : '';
    process.stdout.write(`ok: signature #${result.index + 1} (${result.matched.slice(0, 12)}…) matches${which}\n`);
    return 0;
  }
  process.stdout.write(`FAILED (${result.reason}): ${result.message}\n`);
  return 1;
}
