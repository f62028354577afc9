import { describe, expect, it, vi } from 'vitest';
import { toApiError } from './errors';

import * as real from './guards';

describe('installErrorBridge', () => {
  it('turns an object error into JSON text that toApiError reads back', () => {
    let got: unknown;
    const fakeWindow = {
      wails: {
        Callback: (m: string) => {
          const msg = JSON.parse(m);
          got = msg.error instanceof Error ? msg.error : new Error(msg.error); // what Wails 2.15 does
        },
      },
    };
    real.installErrorBridge(fakeWindow as unknown as Window);
    real.installErrorBridge(fakeWindow as unknown as Window); // twice is harmless
    fakeWindow.wails.Callback(
      JSON.stringify({ callbackid: '1', error: { code: 'bad_credentials', message: 'That PIN is not right.', field: '' } }),
    );
    const e = toApiError(got);
    expect(e.code).toBe('bad_credentials');
    expect(e.message).toBe('That PIN is not right.');
  });
});

describe('installDropGuards', () => {
  it('stops the web view from opening a dropped file, once however often installed', () => {
    const target = new EventTarget() as unknown as Window;
    const add = vi.spyOn(target, 'addEventListener');
    real.installDropGuards(target);
    real.installDropGuards(target);
    expect(add).toHaveBeenCalledTimes(2);
    expect(add.mock.calls.map((c) => [c[0], c[2]])).toEqual([
      ['dragover', { capture: true }],
      ['drop', { capture: true }],
    ]);
    const drop = new Event('drop', { cancelable: true });
    target.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
  });

  it('also stops a file manager drag that carries only text/uri-list', () => {
    const target = new EventTarget() as unknown as Window;
    real.installDropGuards(target);
    for (const type of ['dragover', 'drop']) {
      const e = new Event(type, { cancelable: true });
      Object.defineProperty(e, 'dataTransfer', { value: { types: ['text/uri-list'] } });
      target.dispatchEvent(e);
      expect(e.defaultPrevented, type).toBe(true);
    }
  });
});
