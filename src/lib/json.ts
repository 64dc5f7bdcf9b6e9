/** Reading JSON text (what a store wrote, what a caller or Graph sent): a missing, unreadable or unexpected value reads as none. */
export function decodeJson<V, T>(text: string | null | undefined, accept: (value: V) => T | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return accept(JSON.parse(text) as V);
  } catch {
    return undefined;
  }
}
