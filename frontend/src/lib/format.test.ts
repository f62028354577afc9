import { describe, expect, it } from 'vitest';
import { formatDate, formatDob, formatSize, relativeTime } from './format';

const now = new Date(2026, 10, 12, 15, 30); // 12 Nov 2026, 15:30 local

describe('formatSize', () => {
  it('speaks in bytes, KB and MB', () => {
    expect(formatSize(12)).toBe('12 bytes');
    expect(formatSize(340 * 1024)).toBe('340 KB');
    expect(formatSize(1.2 * 1024 * 1024)).toBe('1.2 MB');
  });
});

describe('formatDate', () => {
  it('says Today with the time for today', () => {
    expect(formatDate(new Date(2026, 10, 12, 14, 5).toISOString(), now)).toBe('Today 14:05');
  });
  it('gives day and month earlier this year, and the year before that', () => {
    expect(formatDate(new Date(2026, 10, 3, 9, 0).toISOString(), now)).toBe('3 Nov');
    expect(formatDate(new Date(2025, 10, 3, 9, 0).toISOString(), now)).toBe('3 Nov 2025');
  });
});

describe('relativeTime', () => {
  it('is short and plain', () => {
    expect(relativeTime(new Date(2026, 10, 12, 15, 29, 40).toISOString(), now)).toBe('just now');
    expect(relativeTime(new Date(2026, 10, 12, 15, 5).toISOString(), now)).toBe('25 min ago');
    expect(relativeTime(new Date(2026, 10, 12, 12, 0).toISOString(), now)).toBe('3 h ago');
    expect(relativeTime(new Date(2026, 10, 11, 12, 0).toISOString(), now)).toBe('Yesterday');
    expect(relativeTime(new Date(2026, 9, 1, 12, 0).toISOString(), now)).toBe('1 Oct');
  });
});

describe('formatDob', () => {
  it('never shifts the day with the time zone', () => {
    expect(formatDob('1987-04-12')).toBe('12 Apr 1987');
  });
});
