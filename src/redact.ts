/**
 * Hides credentials in URLs inside any text (a --db URL, a clone URL, a git error message)
 * before it is printed, logged or stored for display: `postgres://brain:secret@db/x` becomes
 * `postgres://brain:***@db/x`. A bare user part is kept (`ssh://git@host`), except on http(s)
 * where a bare user part is how access tokens travel (`https://ghp_…@github.com`).
 */
export function redactCredentials(text: string): string {
  if (!text.includes('://')) return text;
  // A password the user did not percent-encode may hold `/`, `?` or `#`, which end the URL's
  // authority: `user:` starts a password that runs to the last @ of the word. (Bounded, for the
  // reason below; it hides more than the password only when a path of the same word holds an @.)
  text = text.replace(/([a-z][a-z0-9+.-]{0,63}:\/\/)([^\s/@:]{0,256}):\S{0,512}@/gi, (_m, scheme: string, user: string) => `${scheme}${user}:***@`);
  // Greedy up to the last @ before the path: an unencoded @ inside a password stays hidden.
  // The scheme is bounded (real ones are short; longer runs of letters before it stay as they
  // are): unbounded, every letter of a long run re-scanned the rest of it, and a 120,000-
  // character argument took 17 s.
  return text.replace(/([a-z][a-z0-9+.-]{0,63}:\/\/)([^/\s]*)@/gi, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    if (colon >= 0) return `${scheme}${userinfo.slice(0, colon)}:***@`;
    return /^https?:/i.test(scheme) ? `${scheme}***@` : `${scheme}${userinfo}@`;
  });
}
