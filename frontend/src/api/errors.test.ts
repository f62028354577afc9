import { describe, expect, it, vi } from 'vitest';
import { ApiError, toApiError } from './errors';

describe('toApiError', () => {
  it('keeps code, message and field of the backend object', () => {
    const e = toApiError({ code: 'invalid_input', message: 'Please add a subject.', field: 'subject' });
    expect(e).toBeInstanceOf(ApiError);
    expect(e.code).toBe('invalid_input');
    expect(e.message).toBe('Please add a subject.');
    expect(e.field).toBe('subject');
  });
  it('uses the plain sentence for the code when the message is missing', () => {
    expect(toApiError({ code: 'records_deletion_off' }).message).toMatch(/owner or manager can turn on Records Deletion/);
  });
  it('reads a JSON string and a plain string', () => {
    expect(toApiError('{"code":"forbidden","message":""}').message).toBe('You do not have permission to do that.');
    const plain = toApiError('disk full');
    expect(plain.code).toBe('internal');
    expect(plain.message).toBe('disk full');
  });
  it('reads the Error Wails 2.15 rejects with, its message being the formatted error', () => {
    const e = toApiError(new Error('{"code":"bad_credentials","message":"That PIN is not right.","field":"secret"}'));
    expect(e.code).toBe('bad_credentials');
    expect(e.message).toBe('That PIN is not right.');
    expect(e.field).toBe('secret');
    expect(toApiError(new Error('sql: database is locked')).message).toBe('sql: database is locked');
  });
  it('never shows a JavaScript fault to the user', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const e = toApiError(new TypeError("Cannot read properties of undefined (reading 'api')"));
    expect(e.code).toBe('internal');
    expect(e.message).toMatch(/Something went wrong/);
  });
});
