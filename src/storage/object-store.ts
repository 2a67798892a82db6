import type { Readable } from 'node:stream';

/** Metadata of a stored object. */
export interface ObjectInfo {
  key: string;
  size: number;
  contentType: string;
  /** Strong validator derived from the content (for HTTP ETag). */
  etag: string;
  modifiedAt: Date;
}

export interface PutOptions {
  contentType: string;
}

/** Inclusive byte range, as HTTP Range uses. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where outputs live. Keys are slash-separated names the code made from
 * hashes and ids (e.g. `renders/<renderKey>.mp4`), never user input; an
 * implementation refuses any key that would resolve outside its root.
 * `put` is atomic: a reader sees the whole object or none.
 */
export interface ObjectStore {
  /**
   * Stores a stream or a local file atomically; overwrites. A local file is
   * consumed on success (moved or copied in, then removed), never on failure.
   */
  put(key: string, source: Readable | { file: string }, options: PutOptions): Promise<ObjectInfo>;
  /** A readable of the object (or of a byte range of it); undefined when missing. */
  get(key: string, range?: ByteRange): Promise<{ info: ObjectInfo; body: Readable } | undefined>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** True when something was deleted. */
  delete(key: string): Promise<boolean>;
  /** Deletes every object whose key starts with prefix; returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** A local path to the object when the store is on this file system (fast sendFile), else undefined. */
  localPath?(key: string): string | undefined;
  /**
   * A time-limited URL from which a client can fetch the object directly, for
   * stores configured to serve by redirect (the API then answers 302 to it
   * instead of streaming). Absent, or undefined, means: stream it yourself.
   * The URL is a bearer capability: never log it.
   */
  presignedUrl?(key: string, ttlSeconds?: number): Promise<string | undefined>;
}
