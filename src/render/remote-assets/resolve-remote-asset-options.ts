import { AppError } from '../../errors/index.js';
import {
  remoteAssetOptionsSchema,
  type RemoteAssetOptions,
  type ResolvedRemoteAssetOptions,
} from './remote-asset-options.schema.js';

/** Default ports: the scheme's own, so a customer URL cannot probe other services of a public host. */
export function defaultPorts(allowHttp: boolean): readonly number[] {
  return allowHttp ? [443, 80] : [443];
}

/**
 * Validates the fetcher options once and fills in the defaults; every
 * problem is reported at once in one INVALID_ARGUMENT error.
 */
export function resolveRemoteAssetOptions(options: RemoteAssetOptions): ResolvedRemoteAssetOptions {
  const parsed = remoteAssetOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new AppError('INVALID_ARGUMENT', `invalid remote asset options: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
  const value = parsed.data;
  return Object.freeze({
    ...value,
    allowPrivateAddresses: Array.isArray(value.allowPrivateAddresses)
      ? Object.freeze([...value.allowPrivateAddresses])
      : value.allowPrivateAddresses,
    allowedPorts:
      value.allowedPorts === undefined
        ? defaultPorts(value.allowHttp)
        : value.allowedPorts && Object.freeze([...value.allowedPorts]),
  });
}
