import { z } from 'zod';

/**
 * Public options of `createRemoteAssetFetcher`. Everything but `cacheDir` is
 * optional and filled in once by `resolveRemoteAssetOptions`.
 */
export const remoteAssetOptionsSchema = z.object({
  /** Where fetched images are kept, one file per URL plus a JSON sidecar. */
  cacheDir: z.string().min(1),
  /** Largest accepted body, in bytes. */
  maxBytes: z.number().int().positive().default(10 * 1024 * 1024),
  /** Budget of one fetch, DNS, connect, redirects and body included. */
  timeoutMs: z.number().int().positive().default(10_000),
  /** Redirect hops followed; each hop is checked like the first URL. 0 refuses redirects. */
  maxRedirects: z.number().int().min(0).max(10).default(3),
  /** Accept plain http URLs. Tests only: http assets can be altered on the way. */
  allowHttp: z.boolean().default(false),
  /**
   * Tests only. `true` lets every forbidden address through; a list lets
   * through exactly those addresses (compared as written), so a test can
   * serve from 127.0.0.1 and still see other private addresses refused.
   */
  allowPrivateAddresses: z.union([z.boolean(), z.array(z.string())]).default(false),
  /** Ports a URL may name; null accepts any. Default: 443 (and 80 with allowHttp). */
  allowedPorts: z.array(z.number().int().min(1).max(65535)).nullable().optional(),
  /** An extra trusted CA (PEM), added to Node's bundled roots. Tests only. */
  ca: z.union([z.string(), z.instanceof(Buffer)]).optional(),
  userAgent: z.string().min(1).default('mastercut-asset-fetcher/1'),
});

export type RemoteAssetOptions = z.input<typeof remoteAssetOptionsSchema>;

/** The complete, frozen options the fetcher works with. */
export type ResolvedRemoteAssetOptions = Readonly<
  Omit<z.output<typeof remoteAssetOptionsSchema>, 'allowedPorts' | 'allowPrivateAddresses'> & {
    allowedPorts: readonly number[] | null;
    allowPrivateAddresses: boolean | readonly string[];
  }
>;

/** The subset `checkUrl` needs; every field has the same safe default as above. */
export type UrlPolicy = Partial<
  Pick<ResolvedRemoteAssetOptions, 'allowHttp' | 'allowPrivateAddresses' | 'allowedPorts'>
>;
