import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  type ParameterDefinition,
  parameterDefinitionSchema,
  parameterDefinitionsSchema,
  parseParameterDefinitions,
  validateValues,
} from '../../../domain/template/parameters';
import { problemMessages, refusal } from './support';

const definitions: ParameterDefinition[] = [
  { name: 'image', type: 'image', required: true, description: 'Container image' },
  { name: 'replicas', type: 'int', required: true, description: '', default: 1, validation: { min: 1, max: 50 } },
  { name: 'debug', type: 'bool', required: false, description: '', default: false },
  { name: 'tier', type: 'enum', required: false, description: '', validation: { options: ['web', 'worker'] } },
  { name: 'cpu', type: 'quantity', required: true, description: '', default: '100m', validation: { kind: 'cpu', min: '10m', max: '4' } },
  { name: 'memory', type: 'quantity', required: false, description: '', validation: { kind: 'memory', max: '8Gi' } },
  {
    name: 'containerName',
    type: 'string',
    required: false,
    description: '',
    validation: { pattern: '[a-z][-a-z0-9]*', minLength: 2, maxLength: 20 },
  },
  { name: 'note', type: 'string', required: false, description: '' },
];

describe('parameter definitions', () => {
  it('accepts one of each type', () => {
    expect(parameterDefinitionsSchema.parse(definitions)).toEqual(definitions);
  });

  it.each([
    ['a name that is not an identifier', { name: '1st', type: 'bool', required: false, description: '' }, 'name'],
    ['a name with a dash', { name: 'my-name', type: 'bool', required: false, description: '' }, 'name'],
    ['an unknown type', { name: 'x', type: 'float', required: false, description: '' }, 'type'],
    ['a pattern that does not compile', { name: 'x', type: 'string', required: false, description: '', validation: { pattern: '([a-z' } }, 'validation.pattern'],
    ['minLength above maxLength', { name: 'x', type: 'string', required: false, description: '', validation: { minLength: 5, maxLength: 2 } }, 'validation'],
    ['int min above max', { name: 'x', type: 'int', required: false, description: '', validation: { min: 5, max: 2 } }, 'validation'],
    ['a fractional int default', { name: 'x', type: 'int', required: false, description: '', default: 1.5 }, 'default'],
    ['an enum without options', { name: 'x', type: 'enum', required: false, description: '', validation: { options: [] } }, 'validation.options'],
    ['an enum with repeated options', { name: 'x', type: 'enum', required: false, description: '', validation: { options: ['a', 'a'] } }, 'validation.options'],
    ['an enum without validation', { name: 'x', type: 'enum', required: false, description: '' }, 'validation'],
    ['a quantity without kind', { name: 'x', type: 'quantity', required: false, description: '', validation: {} }, 'validation.kind'],
    ['a quantity bound that does not parse', { name: 'x', type: 'quantity', required: false, description: '', validation: { kind: 'cpu', min: 'lots' } }, 'validation.min'],
    ['quantity bounds out of order', { name: 'x', type: 'quantity', required: false, description: '', validation: { kind: 'memory', min: '2Gi', max: '1Gi' } }, 'validation'],
    ['a default outside the range', { name: 'x', type: 'int', required: false, description: '', default: 0, validation: { min: 1 } }, 'default'],
    ['a default not among the options', { name: 'x', type: 'enum', required: false, description: '', default: 'c', validation: { options: ['a', 'b'] } }, 'default'],
    ['a malformed image default', { name: 'x', type: 'image', required: false, description: '', default: 'Nginx' }, 'default'],
    ['a misspelt key', { name: 'x', type: 'bool', required: false, description: '', validaton: {} }, ''],
  ])('refuses %s', (_title, definition, path) => {
    const result = parameterDefinitionSchema.safeParse(definition);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });

  it('refuses two parameters with one name, naming the path', () => {
    const twice = [definitions[0], { ...definitions[0], description: 'again' }];
    const error = refusal(() => parseParameterDefinitions(twice));
    expect(error.message).toBe('parameters[1].name: duplicate parameter "image"');
    expect(error.field).toBe('parameters[1].name');
  });

  it('names every broken definition in one refusal', () => {
    const error = refusal(() =>
      parseParameterDefinitions([
        { name: 'x', type: 'string', required: false, description: '', validation: { pattern: '(' } },
        { name: 'y', type: 'int', required: false, description: '', default: 'three' },
      ]),
    );
    expect(problemMessages(error)).toEqual([
      'parameters[0].validation.pattern: must be a valid regular expression',
      expect.stringMatching(/^parameters\[1\]\.default: /),
    ]);
  });
});

describe('validateValues', () => {
  it('returns typed values with defaults filled in and absent optionals left out', () => {
    expect(validateValues(definitions, { image: 'nginx:1.27', replicas: 3 })).toEqual({
      image: 'nginx:1.27',
      replicas: 3,
      debug: false,
      cpu: '100m',
    });
  });

  it('converts form strings to their types and normalises quantities', () => {
    const values = validateValues(definitions, {
      image: 'registry.example.com:5000/team/app:1.0',
      replicas: '12',
      debug: 'true',
      tier: 'worker',
      cpu: '0.5',
      memory: '1024Mi',
      containerName: 'web',
      note: '',
    });
    expect(values).toEqual({
      image: 'registry.example.com:5000/team/app:1.0',
      replicas: 12,
      debug: true,
      tier: 'worker',
      cpu: '500m',
      memory: '1Gi',
      containerName: 'web',
      note: '',
    });
  });

  it('treats a blank or null field as not given, falling back to the default', () => {
    expect(validateValues(definitions, { image: 'nginx', replicas: '', cpu: null })).toMatchObject({ replicas: 1, cpu: '100m' });
  });

  it.each([
    [{ replicas: 'three' }, 'values.replicas: must be an integer between 1 and 50, got "three"'],
    [{ replicas: 51 }, 'values.replicas: must be an integer between 1 and 50, got 51'],
    [{ replicas: 2.5 }, 'values.replicas: must be an integer between 1 and 50, got 2.5'],
    [{ replicas: true }, 'values.replicas: must be an integer between 1 and 50, got true'],
    [{ debug: 'yes' }, 'values.debug: must be true or false, got "yes"'],
    [{ tier: 'batch' }, 'values.tier: must be one of "web", "worker", got "batch"'],
    [{ cpu: 'lots' }, 'values.cpu: "lots" is not a valid CPU quantity (e.g. 500m, 2, 0.5)'],
    [{ cpu: '0.0001' }, 'values.cpu: "0.0001" is not a whole number of millicores'],
    [{ cpu: '8' }, 'values.cpu: must be a cpu quantity between 10m and 4, got "8"'],
    [{ cpu: { amount: 1 } }, 'values.cpu: must be a cpu quantity, got {"amount":1}'],
    [{ memory: '16Gi' }, 'values.memory: must be a memory quantity of at most 8Gi, got "16Gi"'],
    [{ memory: '1.5' }, 'values.memory: "1.5" is not a whole number of bytes'],
    [{ containerName: 42 }, 'values.containerName: must be a string, got 42'],
    [{ containerName: 'Web' }, 'values.containerName: must match the pattern [a-z][-a-z0-9]*, got "Web"'],
    [{ containerName: 'w' }, 'values.containerName: must be a string between 2 and 20 characters long, got 1 characters'],
  ])('refuses %j, naming the parameter', (given, message) => {
    const error = refusal(() => validateValues(definitions, { image: 'nginx', ...given }));
    expect(error.message).toBe(message);
    expect(error.field).toBe(message.slice(0, message.indexOf(':')));
  });

  it('matches a pattern against the whole value', () => {
    refusal(() => validateValues(definitions, { image: 'nginx', containerName: 'web app' }));
    refusal(() => validateValues(definitions, { image: 'nginx', containerName: 'UPPER-web' }));
  });

  it.each([
    ['Nginx:1.27', 'repository "Nginx" must be lower-case'],
    ['nginx 1.27', 'must not contain whitespace'],
    ['nginx:', 'tag "" must be 1 to 128'],
    ['nginx@sha256:abc', 'the digest must be sha256: followed by 64 lower-case hex digits'],
  ])('refuses the malformed image %j', (image, reason) => {
    const error = refusal(() => validateValues(definitions, { image }));
    expect(error.message).toContain(`values.image: ${JSON.stringify(image)} is not a valid image reference: ${reason}`);
  });

  it('refuses a missing required parameter without default', () => {
    expect(refusal(() => validateValues(definitions, {})).message).toBe('values.image: is required');
    expect(refusal(() => validateValues(definitions, { image: '' })).message).toBe('values.image: is required');
  });

  it('refuses an unknown parameter, listing the known ones', () => {
    const error = refusal(() => validateValues(definitions, { image: 'nginx', replica: 2 }));
    expect(error.message).toBe(
      'values.replica: unknown parameter (parameters: image, replicas, debug, tier, cpu, memory, containerName, note)',
    );
  });

  it('reports every problem at once, under the field of the first', () => {
    const error = refusal(() => validateValues(definitions, { replicas: 'three', debug: 'maybe', colour: 'red' }));
    expect(error.field).toBe('values.colour');
    expect(problemMessages(error)).toEqual([
      'values.colour: unknown parameter (parameters: image, replicas, debug, tier, cpu, memory, containerName, note)',
      'values.image: is required',
      'values.replicas: must be an integer between 1 and 50, got "three"',
      'values.debug: must be true or false, got "maybe"',
    ]);
    expect(error.message).toBe(problemMessages(error).join('; '));
    expect(error.details?.problems).toEqual(expect.arrayContaining([expect.objectContaining({ parameter: 'replicas' })]));
  });

  it('refuses values that are not an object', () => {
    expect(refusal(() => validateValues(definitions, ['nginx'])).message).toBe(
      'values: must be an object mapping parameter names to values, got ["nginx"]',
    );
  });

  it('does not let a value named __proto__ reach the prototype', () => {
    const defs: ParameterDefinition[] = [{ name: '__proto__', type: 'string', required: true, description: '' }];
    const values = validateValues(defs, JSON.parse('{"__proto__": "x"}'));
    expect(Object.hasOwn(values, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0'],
    [512, '512'],
    [2 ** 29, '512Mi'],
    [2 ** 30, '1Gi'],
    [1e9, '1G'],
    [1_500_000, '1500k'],
    [1000 * 1024, '1024k'],
    [512_000, '512k'],
    [5120, '5Ki'],
  ])('%i → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
