// Lookups answered from memory for a while: agents opening tickets of the same customer do not each wait on the CRM.
// Entries belong to the settings they were read under, so a settings change is never answered from an old source.

const MAX_ENTRIES = 5000;

export class LookupCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  /** The cached answer for `key`, or the one `read` gives (kept only if it succeeds). */
  get(key: string, ttlMs: number, read: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value;
    const value = read();
    if (ttlMs > 0) {
      // Oldest first out: a Map iterates in insertion order.
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.delete(key);
      this.entries.set(key, { at: Date.now(), value });
      value.catch(() => this.entries.get(key)?.value === value && this.entries.delete(key));
    }
    return value;
  }
}
