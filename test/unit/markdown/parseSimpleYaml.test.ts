import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseSimpleYaml } from '../../../src/markdown/parseSimpleYaml.js';
import { YAML_OPTIONS } from '../../../src/markdown/yamlOptions.js';

function fullParse(yaml: string): unknown {
  const doc = parseDocument(yaml, YAML_OPTIONS);
  if (doc.errors.length > 0 || doc.warnings.length > 0) return 'not clean YAML';
  return doc.toJS() ?? {};
}

// Scalars chosen to sit on the edges of the YAML core schema and of the fast path's subset.
const SCALARS = [
  'hello', 'Hello, world', '1984', '-5', '+5', '0o17', '0x1F', '0x1g', '1_000', '1e3', '.5', '5.',
  '.inf', '-.inf', '.nan', 'true', 'False', 'tRue', 'yes', 'null', '~', '2024-06-01', '2024-6-1',
  '2024-06-01 10:00:00', '2024-06-01T10:00:00Z', '2024-06-01 10:00:00 +02:00', '10:30',
  'http://x.com/a?b=c', 'a:b', 'a: b', 'a:', 'c#', 'a #c', '"quoted"', "'single'", '"it\'s"',
  '"a\\"b"', "'it''s'", '"  spaced  "', '""', 'a  b', 'über', 'a\tb', '@x', '%x', '!x', '&x', '*x',
  '|', '>', '? x', '-', '- x', '[a, b]', '[]', '[a,b,]', '[a, "b"]', '[1, 2.5, true, null, 2024-06-01]',
  '[a b, c]', '[a: b]', '[a, [b]]', '{a: 1}', 'a]', '[a', 'x\u0085y', 'x\u00a0y', 'a,b', '0', '007',
  // Numbers, nulls and timestamps as the fast path resolves them without the library.
  '-0', '+.5', '-.5e-3', '1.', '0.10', '1_0', '0o', '0x', '0X1F', '0o8', '1e', 'e3', '.Inf', '+.inf',
  '.NAN', 'NULL', 'Null', 'TRUE', '12345678901234567890', '2024-06-01T10:00:00.5Z',
  '2024-06-01t10:00:00.123456-03:30', '2024-06-01 1:2:3 +5', '2024-06-01 10:00:00 -5',
  '2024-06-01  10:00:00', '2024-06-01 10:00:00+14:00', '2024-02-30', '0099-01-01', '2024-13-01',
  '2024-06-01 10:00:00 +02', '2024-06-01 10:00', '2024-06-01 10:00:00 EST',
];
const KEYS = ['title', 'tags', 'a', 'null', 'True', 'x_y', 'k-1', '_'];

function randomBlock(next: (n: number) => number, indent: number, depth: number, lines: string[]): void {
  for (let k = 0, count = 1 + next(3); k < count; k++) {
    const pad = ' '.repeat(indent + (next(25) === 0 ? 1 : 0));
    const key = KEYS[next(KEYS.length)];
    const form = next(10);
    if (form < 5) lines.push(`${pad}${key}: ${SCALARS[next(SCALARS.length)]}`);
    else if (form < 7) {
      lines.push(`${pad}${key}:`);
      const itemPad = ' '.repeat(indent + next(3));
      for (let i = 0, n = 1 + next(3); i < n; i++) lines.push(`${itemPad}- ${SCALARS[next(SCALARS.length)]}`);
    } else if (form < 9 && depth < 3) {
      lines.push(`${pad}${key}:`);
      randomBlock(next, indent + 1 + next(3), depth + 1, lines);
    } else if (form < 9) lines.push(next(2) ? `${pad}# comment` : '');
    else lines.push(`${pad}${key}:`);
  }
}

describe('parseSimpleYaml', () => {
  it('parses nested mappings by indentation', () => {
    expect(parseSimpleYaml('a:\n  b: 1\n  c:\n    d: x\n  e:\n  - y\nf: 2\n')).toEqual({
      a: { b: 1, c: { d: 'x' }, e: ['y'] },
      f: 2,
    });
  });

  it('parses the common frontmatter shapes', () => {
    const yaml = 'title: Q3 Plan\ndate: 2024-06-01\ncount: 3\ntags: [work, plan]\naliases:\n  - Plan\n  - "Q3: plan"\n';
    expect(parseSimpleYaml(yaml)).toEqual({
      title: 'Q3 Plan',
      date: new Date('2024-06-01T00:00:00Z'),
      count: 3,
      tags: ['work', 'plan'],
      aliases: ['Plan', 'Q3: plan'],
    });
  });

  it('declines YAML outside its subset so the full parser handles it', () => {
    for (const yaml of ['a:\n  - b: 1\n', ' a: 1\n', 'a:\n    b: 1\n  c: 2\n', 'a: |\n  text\n', 'a: b # c\n', 'a: &x 1\n', '- a\n', 'a: 1\na: 2\n', 'a: "x\\ty"\n', 'key with space: 1\n', 'a: 1\n\u00a0\n', '\tb: 1\n']) {
      expect(parseSimpleYaml(yaml), yaml).toBeNull();
    }
  });

  it('resolves every sample scalar as the full parser does', () => {
    let accepted = 0;
    for (const scalar of SCALARS) {
      for (const yaml of [`k: ${scalar}\n`, `k:\n  - ${scalar}\n`]) {
        const simple = parseSimpleYaml(yaml);
        if (simple === null) continue;
        accepted++;
        expect(simple, yaml).toStrictEqual(fullParse(yaml));
      }
    }
    expect(accepted).toBeGreaterThan(100);
  });

  it('gives exactly the result of the full parser whenever it accepts the input', () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      // The low bits of this generator repeat quickly; the high bits do not.
      return (seed >>> 8) % n;
    };
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const lines: string[] = [];
      randomBlock(next, 0, 0, lines);
      const yaml = lines.join('\n') + '\n';
      const simple = parseSimpleYaml(yaml);
      if (simple === null) continue;
      accepted++;
      const full = fullParse(yaml);
      if (!isDeepStrictEqual(simple, full)) expect.fail(`differs for ${JSON.stringify(yaml)}: ${String(full)}`);
    }
    expect(accepted).toBeGreaterThan(200);
  });
});
