import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { mintZeroKnowledgeLink } from '../../zero-knowledge/index.js';
import { parseProps } from '../parse-props.js';
import { createDefaultRegistry } from '../../pipeline/index.js';
import { usageError } from '../../errors/index.js';
import { usageOf } from '../command-help.js';

const usage = usageOf('zk-link');

/** `mastercut zk-link`: mints one zero-knowledge link without calling the farm. */
export async function zkLinkCommand(argv: string[]): Promise<number> {
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

  const registry = createDefaultRegistry(loadConfig());
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
