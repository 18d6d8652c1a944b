// Run by resume.test.ts as its own process (`node --import tsx copy-child.ts CONFIG`): copies the
// rows of CONFIG and prints `started` once the file of key `announce` is `announceAfter` bytes in,
// so the test can SIGKILL it mid-stream; `done` when every file is copied.
import { copyAttachments, type AttachmentRow } from '../../engine/attachments/copy-files.js';

interface Config {
  source: string;
  destination: string;
  rows: AttachmentRow[];
  announce: unknown;
  announceAfter: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
let announced = false;
const result = await copyAttachments(config.rows, { source: config.source, destination: config.destination }, {
  concurrency: 1,
  onProgress: (p) => {
    if (!announced && p.key[0] === config.announce && p.bytes >= config.announceAfter) {
      announced = true;
      process.stdout.write(`started ${p.bytes}/${p.size}\n`);
    }
  },
});
process.stdout.write(`done ${result.copied} copied, ${result.skipped} skipped, ${result.problems.length} problems\n`);
