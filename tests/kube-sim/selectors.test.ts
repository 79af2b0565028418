import { describe, expect, it } from 'vitest';
import { labelSelectorToString, matchLabels, parseFieldSelector, parseLabelSelector } from './selectors';
import { Registry } from './registry';
import { StatusError } from './errors';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', 'example.com/team': 'a' };
  const m = (s: string) => matchLabels(parseLabelSelector(s), labels);
  it('parses every operator', () => {
    expect(m('app=web')).toBe(true);
    expect(m('app==web')).toBe(true);
    expect(m('app!=web')).toBe(false);
    expect(m('app in (web, db)')).toBe(true);
    expect(m('app notin (web)')).toBe(false);
    expect(m('tier')).toBe(true);
    expect(m('!tier')).toBe(false);
    expect(m('!missing,example.com/team=a')).toBe(true);
    expect(m('missing!=x')).toBe(true);
    expect(m('')).toBe(true);
  });
  it('rejects garbage with 400', () => {
    expect(() => parseLabelSelector('app in web')).toThrow(StatusError);
    expect(() => parseLabelSelector('a=b=c')).toThrow(StatusError);
  });
  it('prints a LabelSelector as Scale.status.selector does', () => {
    expect(labelSelectorToString({ matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'c', operator: 'In', values: ['y', 'x'] }] })).toBe('a=1,b=2,c in (x,y)');
  });
});

describe('field selectors', () => {
  const reg = new Registry();
  it('accepts the kind field labels and rejects others with 400', () => {
    expect(parseFieldSelector('status.phase=Running', reg.find('', 'pods')!)).toEqual([{ field: 'status.phase', op: '=', value: 'Running' }]);
    try {
      parseFieldSelector('status.phase=Running', reg.find('', 'configmaps')!);
      throw new Error('no error');
    } catch (e: any) {
      expect(e.code).toBe(400);
      expect(e.message).toBe('field label not supported: status.phase');
    }
  });
});
