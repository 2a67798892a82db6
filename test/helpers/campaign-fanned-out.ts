import type { CampaignStatus } from '../../src/campaigns/index.js';

/**
 * POST /v1/campaigns answers 202 once the file is stored; the fan-out runs
 * as a job of its own. Resolves with the status once it ended (state past
 * `ingesting`), polling the API; throws on the deadline (generous: a loaded
 * machine).
 */
export async function untilFannedOut(apiUrl: string, id: string, headers: Record<string, string>, timeoutMs = 120_000): Promise<CampaignStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${apiUrl}/v1/campaigns/${id}`, { headers });
    const status = (await res.json()) as CampaignStatus;
    if (res.status === 200 && status.state !== 'ingesting') return status;
    if (Date.now() > deadline) throw new Error(`campaign ${id} still ingesting: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
