import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { verifyWebhookSignature } from '../../engagement/webhooks/index.js';
import { usageError } from '../run-cli.js';

const usage = `usage: mastercut webhooks verify --secret whsec_... --id <webhook-id> --timestamp <webhook-timestamp>
                                --signature '<webhook-signature>' (--body-file FILE | --body STRING)
                                [--tolerance-s 300] [--now S]

Checks a Standard Webhooks signature the way mastercut signs deliveries, so a
CRM team can test their receiver. Pass the headers and the raw body exactly as
received (re-serialized JSON will not verify). Several --secret flags are
accepted (a secret being rotated). --now fixes "now" (seconds) to check a
recorded delivery. Exit code 0 when a signature matches, 1 when none does.`;

/** `mastercut webhooks <subcommand>`: `verify` only, for now. */
export async function webhooksCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || rest.includes('--help')) {
    process.stdout.write(`${usage}\n`);
    return sub ? 0 : 2;
  }
  if (sub !== 'verify') throw usageError(`unknown webhooks subcommand "${sub}"\n${usage}`);
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
