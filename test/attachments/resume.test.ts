// A copy SIGKILLed mid-stream (a separate process, killed while a 200 MB file is being written):
// no half file under the final name, and the rerun finishes it, skips what was complete, and
// leaves no temporary file.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { copyAttachments, TEMP_SUFFIX, temporaryPathFor, type AttachmentRow } from '../../engine/attachments/copy-files.js';
import { verifyAttachments } from '../../engine/attachments/verify-files.js';
import { ROOT } from '../support/run-cli.js';
import { bigFile, listing, removeWorkspaces, sha256OfFile, workspace } from './support.js';

const CHILD = fileURLToPath(new URL('./copy-child.ts', import.meta.url));
const BIG_MB = 200;

afterAll(() => removeWorkspaces());

function runUntilStarted(config: object): Promise<{ signal: NodeJS.Signals | null; stdout: string; killedAt: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(config)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killedAt = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const started = /started (\S+)/.exec(stdout);
      if (started && !killedAt) {
        killedAt = started[1];
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (!killedAt) reject(new Error(`the child ended before it was killed: ${stdout}${stderr}`));
      else resolve({ signal, stdout, killedAt });
    });
  });
}

describe('a copy killed mid-stream', () => {
  it('leaves no half file under the final name, and the rerun completes it', async () => {
    const ws = workspace();
    const roots = { source: ws.source, destination: ws.destination };
    const small = ws.put('small/readme.txt', 'copied before the kill');
    const big = await bigFile(path.join(ws.source, 'big/archive.bin'), BIG_MB);
    const rows: AttachmentRow[] = [
      { key: [1], sourcePath: 'small/readme.txt', destinationPath: 'files/readme.txt', claimed: small },
      { key: [2], sourcePath: 'big/archive.bin', destinationPath: 'files/big/archive.bin', claimed: big },
    ];
    const finalBig = path.join(ws.destination, 'files/big/archive.bin');

    const killed = await runUntilStarted({ ...roots, rows, announce: 2, announceAfter: 16 * 1024 * 1024 });
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).not.toContain('done');
    console.log(`killed at ${killed.killedAt} bytes of the big file`);
    // the kill landed mid-stream: a partial temporary file, nothing under the final name
    expect(existsSync(finalBig)).toBe(false);
    const partial = temporaryPathFor(finalBig);
    expect(existsSync(partial)).toBe(true);
    expect(statSync(partial).size).toBeLessThan(BIG_MB * 1024 * 1024);
    expect(sha256OfFile(path.join(ws.destination, 'files/readme.txt'))).toBe(small);

    const rerun = await copyAttachments(rows, roots);
    expect(rerun).toMatchObject({ copied: 1, skipped: 1, problems: [] });
    expect(rerun.files.find((f) => f.key[0] === 1)?.action).toBe('skipped');
    expect(statSync(finalBig).size).toBe(BIG_MB * 1024 * 1024);
    expect(sha256OfFile(finalBig)).toBe(big);
    expect(listing(ws.destination).filter((e) => e.includes(TEMP_SUFFIX))).toEqual([]);
    const verified = await verifyAttachments(rerun.files.map((f) => ({ key: f.key, sourcePath: f.sourcePath, destinationPath: f.path, sha256: f.sha256, bytes: f.bytes })), roots);
    expect(verified).toMatchObject({ verified: 2, problems: [] });
  }, 120_000);
});
