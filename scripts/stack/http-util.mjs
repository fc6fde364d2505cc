/**
 * Plumbing shared by the stack's HTTP emulators (upstash-rest.mjs, qstash.mjs):
 * an error that carries its status, bounded body reading, the constant-time
 * bearer check, the `{"error": …}` body both services answer with, and listen.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function digest(s) {
  return createHash('sha256').update(s).digest();
}

/** Constant-time check of `Authorization: Bearer <token>`. */
export function bearerMatches(header, expected) {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m !== null && timingSafeEqual(digest(m[1]), digest(expected));
}

export function errorJson(message) {
  return JSON.stringify({ error: message });
}

/** The whole body as a Buffer; over `maxBytes` → HttpError 413 (`tooLargePrefix` + message). */
export function readBody(req, maxBytes, tooLargePrefix = '') {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > maxBytes) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) reject(new HttpError(413, `${tooLargePrefix}request body larger than ${maxBytes} bytes`));
      else resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}

/** Listens on host:port (0 = any free port) and resolves with the port actually bound. */
export async function listen(server, port, host) {
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}
