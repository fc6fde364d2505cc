/** The RESP2 client under the Upstash emulator: parser framing and encoding. */
import { describe, expect, it } from 'vitest';
import { encodeCommand, ReplyError, RespParser, Status, type Reply } from '../../scripts/stack/resp.mjs';

function parseAll(chunks: Buffer[]): Reply[] {
  const out: Reply[] = [];
  const parser = new RespParser((v) => out.push(v));
  for (const c of chunks) parser.push(c);
  return out;
}

const wire = Buffer.concat([
  Buffer.from('+OK\r\n-ERR bad thing\r\n:42\r\n:-9223372036854775808\r\n$-1\r\n*-1\r\n$0\r\n\r\n'),
  Buffer.from('$6\r\nü€\r\n'.replace('6', String(Buffer.byteLength('ü€'))), 'utf8'),
  Buffer.from('*3\r\n$1\r\na\r\n*2\r\n:1\r\n-WRONGTYPE x\r\n$2\r\n\r\n\r\n*0\r\n'),
]);

function check(replies: Reply[]) {
  expect(replies).toHaveLength(10);
  expect(replies[0]).toBeInstanceOf(Status);
  expect(String(replies[0])).toBe('OK');
  expect(replies[1]).toEqual(new ReplyError('ERR bad thing'));
  expect(replies[2]).toBe(42n);
  expect(replies[3]).toBe(-9223372036854775808n);
  expect(replies[4]).toBeNull();
  expect(replies[5]).toBeNull();
  expect(replies[6]).toEqual(Buffer.alloc(0));
  expect((replies[7] as Buffer).toString('utf8')).toBe('ü€');
  expect(replies[8]).toEqual([Buffer.from('a'), [1n, new ReplyError('WRONGTYPE x')], Buffer.from('\r\n')]);
  expect(replies[9]).toEqual([]);
}

describe('RespParser', () => {
  it('parses every RESP2 type in one chunk', () => check(parseAll([wire])));

  it('parses the same bytes fed one at a time', () => {
    check(parseAll([...wire].map((b) => Buffer.from([b]))));
  });

  it('parses at every split point', () => {
    for (let i = 1; i < wire.length; i++) check(parseAll([wire.subarray(0, i), wire.subarray(i)]));
  });

  it('reassembles a large bulk string from many small chunks', () => {
    const payload = Buffer.alloc(5 * 1024 * 1024 + 3, 0xab);
    const msg = Buffer.concat([Buffer.from(`*2\r\n$${payload.length}\r\n`), payload, Buffer.from('\r\n:7\r\n')]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < msg.length; i += 16 * 1024) chunks.push(msg.subarray(i, i + 16 * 1024));
    const [reply] = parseAll(chunks);
    expect((reply as Reply[])[1]).toBe(7n);
    expect(((reply as Reply[])[0] as Buffer).equals(payload)).toBe(true);
  });

  it('rejects a byte that starts no RESP2 type', () => {
    expect(() => parseAll([Buffer.from('?oops\r\n')])).toThrow(/protocol error/);
  });
});

describe('encodeCommand', () => {
  it('frames arguments as bulk strings of their UTF-8 bytes', () => {
    expect(encodeCommand(['SET', 'k', 'ü']).toString('utf8')).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nü\r\n');
    expect(encodeCommand([Buffer.from([0, 13, 10])])).toEqual(Buffer.from('*1\r\n$3\r\n\u0000\r\n\r\n', 'latin1'));
  });
});
