import { AppError, isAppError } from '../errors/index.js';
import type { Template } from '../composition/index.js';
import type { ProfileHistoryEntry } from './profile-history.js';
import { propsFromProfile } from './props-from-profile.js';

/** A recipient's data as one open of a sticky link sees it. */
export interface ProfileSnapshot {
  fields: Record<string, unknown>;
  /** Increases with every change of the content (profile store or connector cache). */
  version: number;
  /** propsHash of the fields: what "the same data" means. */
  hash: string;
}

/**
 * Where sticky links read a recipient's current data: the profile store
 * (pushed through /v1/recipients) or a pull connector to the brand's CRM.
 * Undefined: the recipient has no profile.
 */
export interface RecipientSource {
  current(recipientId: string): Promise<ProfileSnapshot | undefined>;
  /** The recipient's last versions and when each was written, oldest first (what the campaign metrics compare shown versions with). */
  history?(recipientId: string): Promise<ProfileHistoryEntry[]>;
}

/**
 * The props a sticky link shows: the template's mapping over the profile.
 * No profile is RECIPIENT_PROFILE_MISSING (404) and a profile that lacks a
 * mapped field is PROFILE_INCOMPLETE (409, with the paths): a sticky link
 * never falls back to the template's preview data for a real recipient.
 */
export function stickyProps(template: Template, snapshot: ProfileSnapshot | undefined): Record<string, unknown> {
  if (!snapshot) throw new AppError('RECIPIENT_PROFILE_MISSING', 'the recipient of this sticky link has no profile');
  try {
    return propsFromProfile(template, snapshot.fields) as Record<string, unknown>;
  } catch (err) {
    if (!isAppError(err, 'INVALID_PROPS')) throw err;
    throw new AppError('PROFILE_INCOMPLETE', err.message, { cause: err, details: err.details });
  }
}
