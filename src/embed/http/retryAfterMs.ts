/**
 * Milliseconds a `Retry-After` header asks for: delay-seconds (`120`, decimals tolerated) or
 * an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`, measured against `now`). A date in the past
 * is 0; a missing or unreadable header is null (the caller falls back to its own backoff).
 */
export function retryAfterMs(header: string | null, now: number): number | null {
  const value = header?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // Date.parse reads odd strings ("-1", "7") as dates; an HTTP date always names a day or month.
  const date = /[a-z]/i.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}
