// Bounds a plug-in's code in time: the desk stops waiting after `ms` (the plug-in's late answer is ignored).

/** What `work` gives, or a rejection saying `message` once `ms` have passed; a synchronous throw becomes a rejection. */
export async function withinTime<T>(work: () => T | Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(work),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
