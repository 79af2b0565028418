import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors';
import {
  describeCpu,
  formatCores,
  formatCpu,
  formatMemory,
  parseCpu,
  parseMemory,
  requireQuantity,
  scaleByRatio,
} from '../../domain/quantity';

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError');
}

describe('parseCpu', () => {
  it.each([
    ['500m', 500],
    ['2', 2000],
    ['0.5', 500],
    ['1.25', 1250],
    ['1.', 1000],
    ['.5', 500],
    ['0', 0],
    ['1k', 1_000_000],
    ['1e3', 1_000_000],
    ['2000000n', 2],
  ])('%s → %i millicores', (text, millis) => {
    expect(parseCpu(text, 'cpu')).toBe(millis);
  });

  it.each([
    [0.5, 500],
    [2, 2000],
    [1.25, 1250],
    [0.001, 1],
  ])('number %d → %i millicores', (value, millis) => {
    expect(parseCpu(value, 'cpu')).toBe(millis);
  });

  it('refuses sub-millicore values, naming the field', () => {
    const error = refusal(() => parseCpu('0.0005', 'quotaCpu'));
    expect(error.code).toBe('invalid');
    expect(error.field).toBe('quotaCpu');
    expect(error.message).toBe('quotaCpu: "0.0005" is not a whole number of millicores');
    expect(refusal(() => parseCpu('1.2345', 'cpu')).message).toMatch(/whole number of millicores/);
    expect(refusal(() => parseCpu('0.5m', 'cpu')).message).toMatch(/whole number of millicores/);
    expect(refusal(() => parseCpu(0.1 + 0.2, 'cpu')).message).toMatch(/whole number of millicores/);
  });

  it.each(['', 'abc', '1.2.3', '2 cores', 'm', '1Gix', '1e', '0x10', 'Infinity'])('refuses garbage %j', (text) => {
    const error = refusal(() => parseCpu(text, 'cpu'));
    expect(error.field).toBe('cpu');
    expect(error.message).toMatch(/^cpu: /);
  });

  it('refuses negative, non-finite and too large values', () => {
    expect(refusal(() => parseCpu('-1', 'cpu')).message).toBe('cpu: "-1" must not be negative');
    expect(refusal(() => parseCpu(Number.NaN, 'cpu')).message).toMatch(/not a valid CPU quantity/);
    expect(refusal(() => parseCpu('1e20', 'cpu')).message).toMatch(/too large/);
    expect(refusal(() => parseCpu('1e999', 'cpu')).message).toMatch(/out of range/);
  });

  it('accepts negative zero as zero', () => {
    expect(parseCpu('-0', 'cpu')).toBe(0);
  });
});

describe('parseMemory', () => {
  it.each([
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['1e9', 1e9],
    ['1E9', 1e9],
    ['100M', 1e8],
    ['1024', 1024],
    ['1Ki', 1024],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['2Ti', 2 * 2 ** 40],
    ['1Pi', 2 ** 50],
    ['1k', 1000],
    ['1T', 1e12],
    ['1P', 1e15],
    ['0.5Ki', 512],
    ['1000m', 1],
  ])('%s → %i bytes', (text, bytes) => {
    expect(parseMemory(text, 'memory')).toBe(bytes);
  });

  it('accepts numbers of bytes', () => {
    expect(parseMemory(1024, 'memory')).toBe(1024);
    expect(parseMemory(1e9, 'memory')).toBe(1e9);
  });

  it('refuses fractions of a byte, garbage, negatives and values beyond safe integers', () => {
    expect(refusal(() => parseMemory('1.5', 'memoryBytes')).message).toBe('memoryBytes: "1.5" is not a whole number of bytes');
    expect(refusal(() => parseMemory('500m', 'memoryBytes')).message).toMatch(/whole number of bytes/);
    expect(refusal(() => parseMemory('1Gb', 'memoryBytes')).message).toBe(
      'memoryBytes: "1Gb" is not a valid memory quantity (e.g. 512Mi, 1Gi, 1G, 1024)',
    );
    expect(refusal(() => parseMemory('-1Gi', 'memoryBytes')).message).toMatch(/must not be negative/);
    expect(refusal(() => parseMemory('8Ei', 'memoryBytes')).message).toMatch(/too large/);
    expect(refusal(() => parseMemory(undefined as unknown as string, 'memoryBytes')).field).toBe('memoryBytes');
  });
});

describe('formatting', () => {
  it('formats CPU as millicores or whole cores', () => {
    expect(formatCpu(500)).toBe('500m');
    expect(formatCpu(2000)).toBe('2');
    expect(formatCpu(1250)).toBe('1250m');
    expect(formatCpu(0)).toBe('0');
  });

  it('formats cores as exact decimals for messages', () => {
    expect(formatCores(2500)).toBe('2.5');
    expect(formatCores(4000)).toBe('4');
    expect(formatCores(1)).toBe('0.001');
    expect(formatCores(9_520)).toBe('9.52');
    expect(describeCpu(1000)).toBe('1 core');
    expect(describeCpu(4000)).toBe('4 cores');
    expect(describeCpu(500)).toBe('0.5 cores');
  });

  it('formats memory with the largest exact binary suffix, else bytes', () => {
    expect(formatMemory(512 * 2 ** 20)).toBe('512Mi');
    expect(formatMemory(2 ** 30)).toBe('1Gi');
    expect(formatMemory(1.5 * 2 ** 30)).toBe('1536Mi');
    expect(formatMemory(1024)).toBe('1Ki');
    expect(formatMemory(1e9)).toBe('1000000000');
    expect(formatMemory(1000)).toBe('1000');
    expect(formatMemory(0)).toBe('0');
  });

  it('refuses to format what is not a non-negative integer', () => {
    expect(() => formatCpu(1.5)).toThrow(DomainError);
    expect(() => formatMemory(-1)).toThrow(DomainError);
  });

  it('round-trips: parse(format(x)) === x', () => {
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 500; i++) {
      const millis = next() % 10_000_000;
      const bytes = (next() % 1_000_000) * 2 ** (next() % 30);
      expect(parseCpu(formatCpu(millis), 'cpu')).toBe(millis);
      expect(parseMemory(formatMemory(bytes), 'memory')).toBe(bytes);
    }
  });
});

describe('helpers', () => {
  it('requireQuantity accepts non-negative safe integers only, naming the field', () => {
    expect(requireQuantity(0, 'cpuMillis')).toBe(0);
    expect(() => requireQuantity(-1, 'cpuMillis')).toThrow('cpuMillis: must be a non-negative integer, got -1');
    expect(() => requireQuantity(1.5, 'cpuMillis')).toThrow(DomainError);
    expect(() => requireQuantity('1', 'cpuMillis')).toThrow(DomainError);
    expect(() => requireQuantity(2 ** 53, 'cpuMillis')).toThrow(DomainError);
  });

  it('scales exactly by a two-decimal ratio, rounding down', () => {
    expect(scaleByRatio(8000, 1.5)).toBe(12_000);
    expect(scaleByRatio(3, 1.5)).toBe(4);
    expect(scaleByRatio(8000, 1.1)).toBe(8800);
    expect(scaleByRatio(7 * 2 ** 30, 1.07)).toBe(Math.floor((7 * 2 ** 30 * 107) / 100));
    expect(scaleByRatio(Number.MAX_SAFE_INTEGER, 10)).toBe(Number.MAX_SAFE_INTEGER);
  });
});
