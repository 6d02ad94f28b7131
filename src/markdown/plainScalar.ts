/**
 * What a plain (unquoted) YAML scalar means under the frontmatter schema (YAML_OPTIONS: the
 * YAML 1.2 core schema plus timestamps), written out so that the fast path (parseSimpleYaml)
 * does not load the `yaml` library: loading it is ~55–75 ms of a run's start-up, and most
 * frontmatter never needs it. Each rule resolves a scalar exactly as the library's tag of the
 * same name does, tried in the library's order; the parseSimpleYaml unit test compares the
 * two parsers on thousands of inputs, so a difference (a later `yaml` changing a rule, say)
 * fails there.
 */
interface PlainRule {
  test: RegExp;
  resolve: (text: string) => unknown;
}

const rules: PlainRule[] = [
  // null: `~`, `null`, `Null`, `NULL` (the empty scalar never reaches here).
  { test: /^(?:~|[Nn]ull|NULL)?$/, resolve: () => null },
  { test: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, resolve: (s) => s[0] === 't' || s[0] === 'T' },
  // Integers: octal `0o17`, decimal, hex `0x1F`; beyond 2^53 they lose precision, as in yaml.
  { test: /^0o[0-7]+$/, resolve: (s) => parseInt(s.slice(2), 8) },
  { test: /^[-+]?[0-9]+$/, resolve: (s) => parseInt(s, 10) },
  { test: /^0x[0-9a-fA-F]+$/, resolve: (s) => parseInt(s.slice(2), 16) },
  {
    test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    resolve: (s) => (s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity),
  },
  { test: /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, resolve: parseFloat },
  { test: /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, resolve: parseFloat },
  // YAML 1.1 timestamps: a date, optionally a time (fraction, then `Z` or an offset).
  {
    test: /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:t|T|[ \t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\.[0-9]+)?)(?:[ \t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$/,
    resolve: timestamp,
  },
];

/** The rule a plain scalar resolves by, or null when it is a string. */
export function plainRule(text: string): PlainRule | null {
  return rules.find((rule) => rule.test.test(text)) ?? null;
}

/** A plain scalar's value: null, a boolean, a number, a Date, or the text itself. */
export function resolvePlain(text: string): unknown {
  const rule = plainRule(text);
  return rule === null ? text : rule.resolve(text);
}

function timestamp(text: string): Date {
  const m = rules[rules.length - 1].test.exec(text)!;
  // Date.UTC truncates each field, so the seconds' fraction counts through `ms` only; it also
  // reads years 0000–0099 as 1900–1999, as it does for yaml, which calls it the same way.
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const ms = m[7] ? Number((m[7] + '00').slice(1, 4)) : 0;
  let time = Date.UTC(year, month - 1, day, hour || 0, minute || 0, second || 0, ms);
  const zone = m[8];
  if (zone && zone !== 'Z') {
    // `+5`, `-03:30`: sexagesimal hours[:minutes], read as minutes; a small value is hours.
    const sign = zone[0] === '-' ? -1 : 1;
    let minutes = sign * zone.slice(1).split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
    if (Math.abs(minutes) < 30) minutes *= 60;
    time -= 60000 * minutes;
  }
  return new Date(time);
}
