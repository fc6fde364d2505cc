/**
 * `npm start` (scripts/start.mjs) as a child in its own process group, for the
 * benchmark and the test that keeps the README's commands true: free ports,
 * resolves once the `listening` JSON line appears on stdout, keeps every
 * stdout line (the Worker's JSON log lines) for the caller to read.
 */
import { groupPids, killGroup, spawnGroup } from './procs.mjs';
import { freePort, sleep } from './util.mjs';

/** Parses a stdout line as a JSON object, or null. */
function jsonLine(text) {
  if (!text.startsWith('{')) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Starts `npm start` with PORT (and DIRECT_PORT when `direct`), `args` after `--`.
 * Returns { port, directPort, pgid, pid, startupMs, listening, lines(), logs(), stop(signal) }.
 * A port taken between the check and the bind (shared machine) is retried on another.
 */
export async function startNpmStart({ root, direct = false, args = [], timeoutMs = 120_000, attempts = 3, env = process.env } = {}) {
  let lastError;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = await freePort(8790 + Math.floor(Math.random() * 400));
    const directPort = direct ? await freePort(port + 1, [port]) : undefined;
    const stdout = [];
    let listening = null;
    const t0 = performance.now();
    const npmArgs = ['start', '--silent', ...(args.length ? ['--', ...args] : [])];
    const handle = spawnGroup('npm', npmArgs, {
      cwd: root,
      env: { ...env, PORT: String(port), ...(directPort ? { DIRECT_PORT: String(directPort) } : {}) },
      tailLines: 100_000,
      onLine: (l) => {
        stdout.push(l);
        const j = jsonLine(l);
        if (j?.msg === 'listening') listening = j;
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!listening && !handle.exitedEarly && Date.now() < deadline) await sleep(50);
    if (listening) {
      return {
        port,
        directPort,
        pgid: handle.pgid,
        pid: handle.child.pid,
        startupMs: performance.now() - t0,
        listening,
        exited: handle.exited,
        lines: () => stdout.slice(),
        logs: () => stdout.map(jsonLine).filter(Boolean),
        processCount: () => groupPids(handle.pgid).length,
        /**
         * `signal` to npm alone (`kill <pid>`), or with `{ group: true }` to the whole process
         * group as a terminal's Ctrl-C does; SIGKILL to the group for whatever is left after `graceMs`.
         * Resolves true when everything had exited within `graceMs`.
         */
        async stop(signal = 'SIGTERM', { group = false, graceMs = 15_000 } = {}) {
          try {
            process.kill(group ? -handle.pgid : handle.child.pid, signal);
          } catch {
            /* gone */
          }
          const until = Date.now() + graceMs;
          while (groupPids(handle.pgid).length > 0 && Date.now() < until) await sleep(50);
          const clean = groupPids(handle.pgid).length === 0;
          await killGroup(handle, 2000);
          return clean;
        },
      };
    }
    lastError = new Error(`npm start did not print its listening line (${handle.exitedEarly ? 'exited' : `${timeoutMs / 1000} s`}):\n${stdout.slice(-30).join('\n')}`);
    await killGroup(handle, 2000);
  }
  throw lastError;
}
