const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Bytes as unpadded base64url (RFC 4648 §5), with `btoa`, which Node 20 and
 * every browser have: this module must run on both without Buffer.
 */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The bytes of unpadded base64url text; undefined when it is not base64url (or has a length no encoder makes). */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // Only the canonical spelling: unused trailing bits must be zero, so one link has one text.
  return toBase64Url(bytes) === text ? bytes : undefined;
}
