import { describe, expect, it } from 'vitest';
import { addLists, canonicalQuantity, ErrFormatWrong, ErrSuffix, Quantity, tryParse } from '../admission/quantity';

const s = (x: string) => Quantity.parse(x).toString();

describe('Quantity parse + canonical String()', () => {
  it.each([
    ['0', '0'],
    ['500m', '500m'],
    ['1', '1'],
    ['1.5', '1500m'],
    ['0.5', '500m'],
    ['0.1', '100m'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['2Gi', '2Gi'],
    ['512Mi', '512Mi'],
    ['0.5Gi', '512Mi'],
    ['1.5Gi', '1536Mi'],
    ['2048Ki', '2Mi'],
    ['1024Mi', '1Gi'],
    ['1G', '1G'],
    ['1000M', '1G'],
    ['1500M', '1500M'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['12e6', '12e6'],
    ['1E3', '1e3'],
    ['100', '100'],
    ['1000', '1k'],
    ['1k', '1k'],
    ['1024', '1024'],
    ['0.5Ki', '512'],
    ['1Ki', '1Ki'],
    ['1500Ki', '1500Ki'],
    ['1n', '1n'],
    ['0.0000000001', '1n'], // rounded up to nano
    ['-1', '-1'],
    ['-500m', '-500m'],
    ['+2', '2'],
    ['001', '1'],
    ['10m', '10m'],
    ['1u', '1u'],
    ['1000000u', '1'],
    ['5Ei', '5Ei'],
    ['1.G', '1G'],
  ])('%s → %s', (input, out) => {
    expect(s(input)).toBe(out);
  });

  it('errors like ParseQuantity', () => {
    expect(tryParse('')).toBe(ErrFormatWrong);
    expect(tryParse('abc')).toBe(ErrFormatWrong);
    expect(tryParse('1.2.3')).toBe(ErrFormatWrong);
    expect(tryParse('1Q')).toBe(ErrFormatWrong);
    expect(tryParse('1Mi5')).toBe(ErrSuffix);
    expect(tryParse('1ki')).toBe(ErrSuffix);
    expect(canonicalQuantity('nope')).toBe('nope');
    expect(canonicalQuantity('1000m')).toBe('1');
  });

  it('formats', () => {
    expect(Quantity.parse('1Gi').format).toBe('BinarySI');
    expect(Quantity.parse('1e3').format).toBe('DecimalExponent');
    expect(Quantity.parse('0.5Ki').format).toBe('BinarySI');
    expect(Quantity.parse('1').format).toBe('DecimalSI');
  });

  it('arithmetic keeps the left format unless it is zero', () => {
    expect(Quantity.parse('512Mi').add(Quantity.parse('512Mi')).toString()).toBe('1Gi');
    expect(Quantity.parse('500m').add(Quantity.parse('500m')).toString()).toBe('1');
    expect(Quantity.zero().add(Quantity.parse('256Mi')).toString()).toBe('256Mi');
    expect(Quantity.parse('1Gi').add(Quantity.parse('500M')).toString()).toBe('1573741824');
    expect(Quantity.parse('1G').add(Quantity.parse('1Mi')).toString()).toBe('1001048576');
    expect(Quantity.parse('1').sub(Quantity.parse('250m')).toString()).toBe('750m');
    expect(Quantity.parse('100m').sub(Quantity.parse('100m')).toString()).toBe('0');
    expect(addLists({ cpu: Quantity.parse('1') }, { cpu: Quantity.parse('200m'), memory: Quantity.parse('1Gi') })).toEqual({
      cpu: Quantity.parse('1200m'),
      memory: Quantity.parse('1Gi'),
    });
  });

  it('compares exactly and rounds Value/MilliValue up', () => {
    expect(Quantity.parse('1').cmp(Quantity.parse('1000m'))).toBe(0);
    expect(Quantity.parse('1Gi').cmp(Quantity.parse('1G'))).toBe(1);
    expect(Quantity.parse('999m').cmp(Quantity.parse('1'))).toBe(-1);
    expect(Quantity.parse('1500m').value()).toBe(2n);
    expect(Quantity.parse('0.0995').milliValue()).toBe(100n);
    expect(Quantity.parse('2Ki').value()).toBe(2048n);
    expect(Quantity.parse('-1.5').value()).toBe(-2n);
  });
});
