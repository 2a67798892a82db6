import type { Tracker } from './create-tracker.js';

/** Shows a short confirmation at the bottom of the page. */
export function showToast(toast: HTMLElement, text: string): void {
  toast.textContent = text;
  toast.classList.add('show');
  clearTimeout(Number(toast.dataset.timer));
  toast.dataset.timer = String(setTimeout(() => toast.classList.remove('show'), 2_500));
}

/** Copies through a selected textarea, for browsers without the async clipboard (or without permission). */
function copyWithSelection(text: string): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

/**
 * Shares the link with the system share sheet where there is one
 * (`navigator.share`, phones), else copies it to the clipboard and says so.
 * A cancelled share sheet is not a share.
 */
export async function shareLink(url: string, title: string, toast: HTMLElement, tracker: Tracker): Promise<void> {
  if (typeof navigator.share === 'function') {
    try {
      await navigator.share({ title, url });
      tracker.send('share', { method: 'native' });
      return;
    } catch (error) {
      if ((error as { name?: string }).name === 'AbortError') return;
      // Not allowed here (e.g. no user activation left): copy instead.
    }
  }
  let copied = false;
  try {
    await navigator.clipboard.writeText(url);
    copied = true;
  } catch {
    copied = copyWithSelection(url);
  }
  if (copied) {
    tracker.send('share', { method: 'clipboard' });
    showToast(toast, 'Link copied');
  } else {
    showToast(toast, url);
  }
}
