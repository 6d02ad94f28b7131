/**
 * What a plain (unquoted) YAML scalar means under the frontmatter schema (YAML_OPTIONS: the
 * YAML 1.2 core schema plus timestamps), written out so that the fast path (parseSimpleYaml)
 * does not load the `yaml` library: loading it is ~55–75 ms of a run's start-up, and most
 * frontmatter never needs it. Each core rule resolves a scalar exactly as the library's tag of
 * the same name does, tried in the library's order; timestamps are this file's own, and the
 * full parser uses them too (YAML_OPTIONS). The parseSimpleYaml unit test compares the two
 * parsers on thousands of inputs, so a difference (a later `yaml` changing a rule, say) fails
 * there.
 */
interface PlainRule {
  test: RegExp;
  resolve: (text: string) => unknown;
}

/** A YAML 1.1 timestamp: `2024-06-01`, `2024-06-01 10:00:00`, `2024-06-01T10:00:00.5+02:00`. */
export const timestampPattern =
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:t|T|[ \t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\.[0-9]+)?)(?:[ \t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$/;

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
  { test: timestampPattern, resolve: resolveTimestamp },
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

/**
 * A timestamp's Date, or the text itself when it names no real moment (`2024-13-45`,
 * `2024-02-30`, `25:00:00`): JavaScript's Date would roll those over into another date, and
 * the note would then say something its author did not write. Used by both parsers (the full
 * one through YAML_OPTIONS' timestamp tag), so they agree.
 */
export function resolveTimestamp(text: string): Date | string {
  const m = timestampPattern.exec(text);
  if (!m) return text;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((f) => (f === undefined ? 0 : Number(f)));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second >= 60) return text;
  const ms = m[7] ? Number((m[7] + '00').slice(1, 4)) : 0;
  // Date.UTC truncates the seconds' fraction, which counts through `ms`; years 0000–0099 need
  // setUTCFullYear, as Date.UTC reads them as 1900–1999.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, Math.floor(second), ms));
  date.setUTCFullYear(year);
  let time = date.getTime();
  const zone = m[8];
  if (zone && zone !== 'Z') {
    // `+5`, `-03:30`: hours, or hours and minutes.
    const [h, min = '0'] = zone.slice(1).split(':');
    if (Number(min) > 59) return text;
    time -= (zone[0] === '-' ? -1 : 1) * (Number(h) * 60 + Number(min)) * 60000;
  }
  return new Date(time);
}
