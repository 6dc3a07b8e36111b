// Coalesces bursts of calls (a worker may report many steps a second) into at most one call per
// `ms`, trailing: the last state is always shown. No vscode.

export function throttle(fn: () => void, ms: number): { (): void; flush(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = 0;
  const run = () => { timer = undefined; last = Date.now(); fn(); };
  const call = () => {
    if (timer) return;
    const wait = Math.max(0, last + ms - Date.now());
    timer = setTimeout(run, wait);
  };
  call.flush = () => { if (timer) { clearTimeout(timer); run(); } };
  call.cancel = () => { if (timer) clearTimeout(timer); timer = undefined; };
  return call;
}
