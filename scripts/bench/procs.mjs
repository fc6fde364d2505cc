/**
 * Child processes of the benchmark. Every long-lived child is spawned as the
 * leader of its own process group (wrangler forks node, which forks workerd),
 * so one signal to the group ends all of them. Groups still alive when the
 * benchmark exits for any reason are killed synchronously on 'exit'.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { sleep } from './util.mjs';

const groups = new Set();
// Colour codes in child output (wrangler colours even when piped).
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Spawns `command args` in a new process group with piped stdout/stderr.
 * Output is drained (so the child never blocks on a full pipe) into a rolling
 * tail for error messages, and passed to `onLine` if given.
 */
export function spawnGroup(command, args, { env, cwd, onLine, tailLines = 60 } = {}) {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = [];
  const emit = (line) => {
    line = line.replace(ANSI, '');
    if (line.trim() === '') return;
    tail.push(line);
    if (tail.length > tailLines) tail.shift();
    onLine?.(line);
  };
  // A line may arrive in several chunks: keep each stream's unfinished last line until its newline.
  const reader = (stream) => {
    let partial = '';
    stream.on('data', (chunk) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop();
      for (const line of parts) emit(line);
    });
    stream.on('end', () => partial && emit(partial));
  };
  reader(child.stdout);
  reader(child.stderr);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // Keep the error from surfacing as an unhandled 'error' event; `exited` still settles via 'close'.
  child.once('error', (err) => tail.push(`spawn error: ${err.message}`));
  const handle = { child, pgid: child.pid, tail, exited, exitedEarly: false };
  exited.then(() => (handle.exitedEarly = true));
  if (child.pid !== undefined) groups.add(handle);
  return handle;
}

/** Runs a command to completion (own process group too), resolving with its exit code and full output. */
export async function runToEnd(command, args, opts = {}) {
  const lines = [];
  const handle = spawnGroup(command, args, { ...opts, onLine: (l) => lines.push(l), tailLines: 200 });
  const { code, signal } = await handle.exited;
  await killGroup(handle);
  return { code, signal, output: lines.join('\n') };
}

/** Pids of live processes whose process group is `pgid` (from /proc). */
export function groupPids(pgid) {
  const pids = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(name);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z') pids.push(Number(name));
  }
  return pids;
}

/** CPU seconds (user+system) used so far by the live processes of group `pgid`. */
export function groupCpuSec(pgid) {
  let ticks = 0;
  for (const pid of groupPids(pgid)) {
    const stat = readStat(String(pid));
    if (stat) ticks += stat.utime + stat.stime;
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

function readStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may contain spaces; fields after it are fixed.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0], pgrp: Number(rest[2]), utime: Number(rest[11]), stime: Number(rest[12]) };
}

/** SIGTERM to the whole group, then SIGKILL after `graceMs` if anything is left. Resolves when the group is gone. */
export async function killGroup(handle, graceMs = 5000) {
  const { pgid } = handle;
  const signalGroup = (sig) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      /* already gone */
    }
  };
  if (groupPids(pgid).length > 0) {
    signalGroup('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (groupPids(pgid).length > 0 && Date.now() < deadline) await sleep(100);
    if (groupPids(pgid).length > 0) signalGroup('SIGKILL');
    while (groupPids(pgid).length > 0 && Date.now() < deadline + 2000) await sleep(50);
  }
  groups.delete(handle);
  return groupPids(pgid).length === 0;
}

/** Kills every group still registered (used on errors and signals). */
export async function killAll() {
  await Promise.all([...groups].map((h) => killGroup(h, 3000)));
}

/** Last resort, synchronous: SIGKILL every group still registered. */
export function killAllSync() {
  for (const { pgid } of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  groups.clear();
}

process.on('exit', killAllSync);
