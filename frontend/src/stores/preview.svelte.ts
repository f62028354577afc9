import * as attachmentsApi from '../api/attachments';
import { messageOf } from '../api/errors';
import type { ViewResult } from '../api/types';
import { toasts } from './toasts.svelte';

/** An in-app preview of an image or PDF, shown by PreviewDialog. */
class PreviewStore {
  current = $state<{ name: string; url: string; mime: string } | null>(null);

  close() {
    this.current = null;
  }
}

export const preview = new PreviewStore();

interface Viewable {
  id: string;
  name: string;
  mime: string;
  canPreview: boolean;
}

async function show(f: Viewable, job: () => Promise<ViewResult>): Promise<void> {
  try {
    const r = await job();
    if (r.opened) {
      toasts.show(`Opened ${f.name} in your viewer.`, 'info', 3000);
    } else if (r.preview && f.canPreview) {
      preview.current = { name: f.name, url: r.preview, mime: f.mime };
    } else {
      toasts.show(`${f.name} could not be opened on this computer.`, 'error');
    }
  } catch (e) {
    toasts.show(messageOf(e), 'error');
  }
}

/**
 * Opens a message attachment: Go hands it to the system viewer; when it
 * cannot and a preview exists (images, PDFs), it is shown in-app. Never
 * inside the list.
 */
export const viewAttachment = (a: Viewable) => show(a, () => attachmentsApi.view(a.id));

/** Opens a Documents on File entry the same way. */
export const viewDocument = (d: Viewable) => show(d, () => attachmentsApi.viewDocument(d.id));

/** Shows the in-app preview of a file directly (images and PDFs). */
export function previewInApp(f: Viewable, url: string) {
  preview.current = { name: f.name, url, mime: f.mime };
}

/**
 * The in-app preview address of an image or PDF: the `preview` a ViewResult
 * carries (CONTRACT), served by Go with the same permission check and audited.
 */
export const previewUrl = (kind: 'attachment' | 'document', id: string): string =>
  `/preview/${kind}/${encodeURIComponent(id)}`;

/** Previews a message attachment in the app, without the system viewer. */
export const previewAttachment = (a: Viewable) => previewInApp(a, previewUrl('attachment', a.id));

/** Previews a Documents on File entry in the app. */
export const previewDocument = (d: Viewable) => previewInApp(d, previewUrl('document', d.id));
