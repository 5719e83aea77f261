// What counts as a target's base URL or health URL, checked alike when a scenario is loaded and when a ready line
// is read at run time.

/** An absolute http:// or https:// URL. */
export function isHttpUrl(text: string | undefined): text is string {
  if (!text) return false;
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
