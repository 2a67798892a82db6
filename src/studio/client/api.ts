/** The studio server's answers, as the page reads them. */
export interface TemplateSummary {
  id: string;
  title?: string;
  description?: string;
  fps: number;
  durationInFrames: number;
  variants: Record<string, { width: number; height: number }>;
  defaultVariant: string;
}

export interface TemplateDetail extends TemplateSummary {
  version: string;
  defaultProps: Record<string, unknown>;
  propsSchema: JsonSchema;
  examples: Record<string, Record<string, unknown>>;
}

/** The subset of JSON Schema that zod's toJSONSchema writes for props. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  description?: string;
  default?: unknown;
}

export interface Issue {
  path: string;
  message: string;
}

export type Validation = { ok: true; props: Record<string, unknown> } | { ok: false; issues: Issue[] };

export interface RenderState {
  id: string;
  state: 'queued' | 'rendering' | 'done' | 'failed';
  progress?: { framesDone: number; totalFrames: number; fps: number; etaSeconds?: number };
  result?: { frames: number; width: number; height: number; bytes: number; fps: number; format: string };
  fileName?: string;
  file?: string;
  error?: { code: string; message: string };
}

/** A JSON request; a non-2xx answer throws its `message`. */
export async function call<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const data = (await res.json()) as T & { message?: string };
  if (!res.ok) throw new Error(data.message ?? `HTTP ${res.status}`);
  return data;
}
