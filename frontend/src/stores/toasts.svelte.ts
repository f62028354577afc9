export interface Toast {
  id: number;
  text: string;
  kind: 'success' | 'info' | 'error';
}

let next = 1;

/** Short confirmations ("Copied to Documents on File"), read out politely. */
class Toasts {
  items = $state<Toast[]>([]);

  show(text: string, kind: Toast['kind'] = 'success', ms = 5000): void {
    const id = next++;
    this.items.push({ id, text, kind });
    if (ms > 0) setTimeout(() => this.dismiss(id), ms);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
