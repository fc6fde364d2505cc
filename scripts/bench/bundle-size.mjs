/**
 * What `wrangler deploy` would upload: `wrangler deploy --dry-run --outdir`
 * (offline, nothing is sent), then raw and gzip -9 sizes of every module.
 */
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { wranglerEnv } from '../wrangler-env.mjs';
import { runToEnd } from './procs.mjs';
import { kib, num } from './util.mjs';

// Files in --outdir that are not uploaded as modules (source maps only go up with upload_source_maps).
const NOT_UPLOADED = [/\.map$/, /^README\.md$/];

function kindOf(name) {
  if (name.endsWith('.wasm')) return 'wasm';
  if (name.endsWith('.se1')) return 'data';
  if (/\.(m?js|cjs)$/.test(name)) return 'js';
  return 'other';
}

export default {
  name: 'bundle',
  title: 'Worker bundle (wrangler deploy --dry-run)',
  async run(ctx) {
    const outdir = join(ctx.tmp, 'deploy-dry-run');
    mkdirSync(outdir);
    ctx.log('bundle: wrangler deploy --dry-run');
    const wrangler = join(ctx.root, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
    const { code, output } = await runToEnd(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', outdir], {
      cwd: ctx.root,
      env: wranglerEnv({ FORCE_COLOR: '0', CI: '1' }),
    });
    if (code !== 0) throw new Error(`wrangler deploy --dry-run failed (exit ${code}):\n${output}`);
    const files = [];
    const skipped = [];
    for (const name of readdirSync(outdir).sort()) {
      if (NOT_UPLOADED.some((re) => re.test(name))) {
        skipped.push(name);
        continue;
      }
      const bytes = readFileSync(join(outdir, name));
      // Wrangler prefixes hashed module names with a 40-hex content hash; show the base name.
      const shown = name.replace(/^[0-9a-f]{40}-/, '');
      files.push({ name: shown, kind: kindOf(name), rawBytes: bytes.byteLength, gzipBytes: gzipSync(bytes, { level: 9 }).byteLength });
    }
    const total = (key) => files.reduce((a, f) => a + f[key], 0);
    const wranglerLine = output.split('\n').find((l) => l.includes('Total Upload:'))?.trim() ?? null;
    return {
      command: 'wrangler deploy --dry-run --outdir <tmp>',
      files,
      notUploaded: skipped,
      totalRawBytes: total('rawBytes'),
      totalGzipBytes: total('gzipBytes'),
      wranglerTotalUpload: wranglerLine,
    };
  },
  report(f) {
    const lines = [`  ${'module'.padEnd(22)} ${'raw'.padStart(13)} ${'gzip -9'.padStart(13)}`];
    for (const file of f.files) {
      lines.push(`  ${`${file.name} (${file.kind})`.padEnd(22)} ${kib(file.rawBytes).padStart(13)} ${kib(file.gzipBytes).padStart(13)}`);
    }
    lines.push(`  ${'total'.padEnd(22)} ${kib(f.totalRawBytes).padStart(13)} ${kib(f.totalGzipBytes).padStart(13)}` +
      `  (${num(f.totalGzipBytes / 1048576, 2)} MiB; Workers limit after compression: 3 MiB free, 10 MiB paid)`);
    lines.push(`  gzip -9 per module, summed; wrangler says: ${f.wranglerTotalUpload ?? '(no "Total Upload" line)'}`);
    if (f.notUploaded.length) lines.push(`  not counted (not uploaded): ${f.notUploaded.join(', ')}`);
    return lines;
  },
};
