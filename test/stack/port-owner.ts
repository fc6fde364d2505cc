/**
 * Whether a wrangler dev we started really owns its port: freePort() only says a port was free a
 * moment ago, and another test's Worker answering our /health would route requests to the wrong
 * Redis and token (seen on this shared machine). Linux /proc; true where it cannot tell.
 */
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Inodes of the sockets listening on 127.0.0.1 / any address at `port` (Linux /proc). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols: sl local_address rem_address st … inode (10th)
      if (cols.length > 9 && cols[3] === '0A' && cols[1].endsWith(`:${hexPort}`)) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** Whether a process of group `pgid` holds the socket listening on `port` (true where /proc cannot tell). */
export function groupListensOn(pgid: number, port: number): boolean {
  if (!existsSync('/proc/net/tcp')) return true;
  const inodes = listeningInodes(port);
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue;
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1])) return true;
      }
    } catch {
      /* the process ended meanwhile */
    }
  }
  return false;
}
