import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { CHANNEL_NAMES } from '../../encode/index.js';
import { mintZeroKnowledgeLink } from '../../zero-knowledge/index.js';
import { parseProps } from '../parse-props.js';
import { createRegistry } from '../render-engine.js';
import { usageError } from '../run-cli.js';

const usage = `usage: mastercut zk-link --template <id> --channel <name> --base-url https://farm.example.com
                       (--props file.json | --prop key=value ...) [--campaign ID] [--pseudonymous-id ID]
                       [--template-version HEX] [--json]

Mints a zero-knowledge link on your side, offline: the props are checked
against the template schema and sealed with AES-256-GCM under a fresh key,
which goes only in the URL fragment (#k=...). Browsers never send the
fragment, so the farm never sees the key or the props; its page decrypts and
plays them in the browser, and "Download" makes the MP4 there too.

  --template            a template of compositions/ (mastercut templates)
  --channel             ${CHANNEL_NAMES.join(', ')}, or one of the farm's own profiles
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
GIF, poster or server MP4 (see README, Zero-knowledge links).`;

/** `mastercut zk-link`: mints one zero-knowledge link without calling the farm. */
export async function zkLinkCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const { values } = parseArgs({
    args: argv,
    options: {
      template: { type: 'string' },
      channel: { type: 'string' },
      'base-url': { type: 'string' },
      props: { type: 'string' },
      prop: { type: 'string', multiple: true, default: [] },
      campaign: { type: 'string' },
      'pseudonymous-id': { type: 'string' },
      'template-version': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const missing = (['template', 'channel', 'base-url'] as const).filter((k) => values[k] === undefined).map((k) => `--${k}`);
  if (missing.length > 0) throw usageError(`missing ${missing.join(', ')}\n${usage}`);
  if (values.props === undefined && values.prop!.length === 0) throw usageError(`give the props with --props file.json or --prop key=value\n${usage}`);

  const registry = createRegistry(loadConfig());
  const template = registry.get(values.template!);
  const props = await parseProps(values.props, values.prop!, registry.jsonSchema(template) as object);
  const version = values['template-version'] ?? (await registry.bundle(template.id)).version;
  const link = await mintZeroKnowledgeLink({
    baseUrl: values['base-url']!,
    template: { id: template.id, version, schema: template.schema, defaultProps: template.defaultProps },
    channel: values.channel!,
    props,
    ...(values['pseudonymous-id'] === undefined ? {} : { pseudonymousId: values['pseudonymous-id'] }),
    ...(values.campaign === undefined ? {} : { campaignId: values.campaign }),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(link)}\n`);
    return 0;
  }
  process.stdout.write(`${link.url}\n`);
  process.stderr.write(`pseudonymous id: ${link.pseudonymousId} (template ${link.templateId}@${link.templateVersion}, channel ${link.channel})\n`);
  return 0;
}
