/** A page's changes: each runs, then the page reloads its data; an error is shown instead of thrown. */
import { useState } from 'preact/hooks';

export function useAction(load: () => void): { error: string; act: (fn: () => Promise<unknown>) => Promise<void>; fail: (e: Error) => void } {
  const [error, setError] = useState('');
  const act = async (fn: () => Promise<unknown>) => {
    setError('');
    try {
      await fn();
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return { error, act, fail: (e: Error) => setError(e.message) };
}
