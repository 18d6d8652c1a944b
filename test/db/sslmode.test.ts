// libpq's sslmode meanings in the plan's URLs: `require` encrypts without verifying the
// certificate, `verify-full` verifies it, `disable` does not encrypt; and no driver warning about
// sslmode ever reaches the user. The test servers have no TLS, so `require` against them is one
// clear error line.
import { describe, expect, it } from 'vitest';
import { urlConfig } from '../../engine/db/connect.js';
import { freshPair } from '../support/databases.js';
import { endToEndFile, runCutover } from '../support/cutover-cli.js';
import { lockSection, planHead } from '../support/plan-folder.js';
import { STACK_TRACE } from '../support/run-cli.js';

const folder = endToEndFile();

describe('sslmode', () => {
  it('require encrypts without verifying; verify-full verifies; disable turns TLS off', () => {
    expect(urlConfig('postgresql://u@db.example.com/app?sslmode=require').ssl).toEqual({ rejectUnauthorized: false });
    const full = urlConfig('postgresql://u@db.example.com/app?sslmode=verify-full').ssl;
    expect(full).toBeTypeOf('object');
    expect((full as { rejectUnauthorized?: boolean }).rejectUnauthorized).not.toBe(false);
    expect(urlConfig('postgresql://u@db.example.com/app?sslmode=disable').ssl).toBe(false);
  });

  it('sslmode=require against a server without TLS: one clear error line, no driver warning', async () => {
    const pair = await freshPair('CREATE TABLE customer (id int PRIMARY KEY);', 'CREATE SCHEMA app; CREATE TABLE app.customers (id int PRIMARY KEY);', 'ssl');
    const file = folder.write('ssl.yaml', `${planHead({ name: 'ssl', target: 'locked' })}${lockSection({ schema: 'detect', integrations: 'detect' })}classes:
  customers:
    source: { table: customer, key: [id] }
    destination: { table: app.customers, key: [id] }
    columns: { id: id }
    reverse: { id: id }
`);
    const withMode = (url: string) => `${url}${url.includes('?') ? '&' : '?'}sslmode=require`;
    const r = await runCutover(['plan', file], { SRC_URL: withMode(pair.source), DST_URL: withMode(pair.destination) });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/warning/i);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stderr).toMatch(/^Error: cannot connect to the (source|destination) database at [^\n]*: .*SSL/m);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  }, 60_000);
});
