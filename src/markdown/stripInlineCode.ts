/**
 * Replaces inline code spans with spaces, so that link syntax shown as code (`[[x]]`) is not
 * read as a link; offsets stay the same. Follows CommonMark: a span opened by N backticks is
 * closed by the next run of exactly N backticks, and an opening run that is never closed is
 * literal text.
 */
export function stripInlineCode(text: string): string {
  if (!text.includes('`')) return text;
  const runs = backtickRuns(text);
  const nextOfLength = closerFinder(runs);
  let out = '';
  let copied = 0;
  for (let i = 0; i < runs.length; ) {
    const open = runs[i];
    const close = nextOfLength(i);
    if (close === -1) {
      i++;
      continue;
    }
    const spanEnd = runs[close].start + open.length;
    out += text.slice(copied, open.start) + ' '.repeat(spanEnd - open.start);
    copied = spanEnd;
    i = close + 1;
  }
  return out + text.slice(copied);
}

interface Run {
  start: number;
  length: number;
}

function backtickRuns(text: string): Run[] {
  const runs: Run[] = [];
  for (let start = text.indexOf('`'); start !== -1; ) {
    let end = start + 1;
    while (text.charCodeAt(end) === 0x60) end++;
    runs.push({ start, length: end - start });
    start = text.indexOf('`', end);
  }
  return runs;
}

/**
 * Returns a function giving, for run i, the index of the next run of the same length, or -1.
 * Callers ask with increasing i, so each length keeps a cursor that only moves forward; this
 * keeps a paragraph full of unmatched runs linear instead of rescanning it once per run.
 */
function closerFinder(runs: Run[]): (i: number) => number {
  const byLength = new Map<number, number[]>();
  runs.forEach((run, index) => {
    const list = byLength.get(run.length);
    if (list) list.push(index);
    else byLength.set(run.length, [index]);
  });
  const cursors = new Map<number, number>();
  return (i) => {
    const length = runs[i].length;
    const list = byLength.get(length) ?? [];
    let cursor = cursors.get(length) ?? 0;
    while (cursor < list.length && list[cursor] <= i) cursor++;
    cursors.set(length, cursor);
    return cursor < list.length ? list[cursor] : -1;
  };
}
