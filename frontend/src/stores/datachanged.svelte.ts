import { onDataChanged } from '../api/events';

/**
 * Calls reload when Go says data changed (debounced). Use inside a
 * component's script: the listener ends with the component.
 */
export function refreshOnDataChanged(reload: () => void, delayMs = 150): void {
  $effect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = onDataChanged(() => {
      clearTimeout(timer);
      timer = setTimeout(reload, delayMs);
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  });
}
