import express from 'express';

export interface JsonBodyOptions {
  /** Largest accepted JSON body, in bytes. Default 256 KiB: props are small. */
  limitBytes?: number;
}

/**
 * JSON body parsing with a size limit. Only `application/json` (and
 * `+json`) bodies are read here; other uploads (CSV, JSON Lines) are left
 * unread for routes that stream them. Oversized bodies become 413 and
 * malformed JSON 400 in the error middleware (see `toAppError`).
 */
export function jsonBody(options: JsonBodyOptions = {}) {
  return express.json({
    limit: options.limitBytes ?? 256 * 1024,
    strict: true,
    type: ['application/json', 'application/*+json'],
  });
}
