/** Page addresses in the browser's history (no reloads); the service answers index.html for each. */
import { signal } from './signal';

export const path = signal(location.pathname);
export function navigate(to: string): void {
  if (to !== location.pathname + location.search) history.pushState(null, '', to);
  path.set(to.split('?')[0]);
  window.scrollTo(0, 0);
}
window.addEventListener('popstate', () => path.set(location.pathname));
