/**
 * post-buffering's temp file: how it is created (no name in the directory, 0600, both ways),
 * when writes go out (gathered to bufsize, the last one whatever its size), when the source is
 * held and let go, the round trip through the file, and that nothing is reported after close.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { BodyFile, holdAt, openBodyFile, shouldWrite, type BodyFileEvents } from '../../../src/server/body-file';
import { tempDir } from '../../support/tmp';
import { waitUntil } from '../../support/wait';

/** Events recorded, and the body read back chunk by chunk (each read asks for the next). */
class Recorder implements BodyFileEvents {
  readonly seen: string[] = [];
  readonly read: Buffer[] = [];
  file: BodyFile | undefined;
  written(): void {
    this.seen.push('written');
  }
  drained(): void {
    this.seen.push('drained');
  }
  failed(err: Error): void {
    this.seen.push(`failed:${(err as NodeJS.ErrnoException).code ?? err.message}`);
  }
  chunk(data: Buffer, last: boolean): void {
    this.read.push(data);
    if (last) this.seen.push('end');
    else this.file?.read();
  }
}

function pattern(n: number, seed = 0): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** Counts the writev calls body-file.ts makes (it calls fs.writev on the shared fs module). */
function countWrites(): { sizes: number[]; restore(): void } {
  const original = fs.writev;
  const sizes: number[] = [];
  (fs as { writev: unknown }).writev = (fd: number, buffers: Buffer[], pos: number, cb: (...a: unknown[]) => void): void => {
    sizes.push(buffers.reduce((n, b) => n + b.length, 0));
    original(fd, buffers, pos, cb as Parameters<typeof fs.writev>[3]);
  };
  return { sizes, restore: () => ((fs as { writev: unknown }).writev = original) };
}

describe('server/body-file', () => {
  describe('openBodyFile', () => {
    for (const unnamed of [true, false]) {
      it(`${unnamed ? 'O_TMPFILE' : 'the fallback (O_EXCL, unlinked at once)'}: a 0600 file with no name in the directory`, () => {
        const dir = tempDir();
        const fd = openBodyFile(dir, unnamed);
        try {
          expect(fs.readdirSync(dir)).to.deep.equal([]);
          const st = fs.fstatSync(fd);
          expect(st.isFile()).to.equal(true);
          expect(st.mode & 0o777).to.equal(0o600);
          expect(st.nlink).to.equal(0);
          expect(fs.readlinkSync(`/proc/self/fd/${fd}`)).to.match(new RegExp(`^${dir}/.* \\(deleted\\)$`));
          fs.writeSync(fd, 'kept');
          const back = Buffer.alloc(4);
          fs.readSync(fd, back, 0, 4, 0);
          expect(back.toString()).to.equal('kept');
        } finally {
          fs.closeSync(fd);
        }
      });

      it(`${unnamed ? 'O_TMPFILE' : 'the fallback'}: a directory that is not there is open(2)'s error`, () => {
        expect(() => openBodyFile(path.join(tempDir(), 'missing'), unnamed)).to.throw().with.property('code', 'ENOENT');
      });
    }

    it('falls back where the filesystem has no O_TMPFILE (procfs)', () => {
      // /proc refuses O_TMPFILE (ENOTSUP) and then refuses creating a name too: the second error is the one thrown.
      expect(() => openBodyFile('/proc')).to.throw().with.property('code').that.is.oneOf(['ENOENT', 'EACCES', 'EPERM']);
    });
  });

  describe('when to write and when to hold the source', () => {
    it('writes once bufsize is gathered, or for the last bytes whatever their size', () => {
      expect(shouldWrite(0, 10, false)).to.equal(false);
      expect(shouldWrite(0, 10, true)).to.equal(false);
      expect(shouldWrite(9, 10, false)).to.equal(false);
      expect(shouldWrite(10, 10, false)).to.equal(true);
      expect(shouldWrite(3, 10, true)).to.equal(true);
    });

    it('holds the source at four writes, never under 1 MiB', () => {
      expect(holdAt(8192)).to.equal(1 << 20);
      expect(holdAt(1 << 20)).to.equal(4 << 20);
    });
  });

  describe('BodyFile', () => {
    it('gives back what was written, byte-exact, bufsize at a time', async () => {
      const dir = tempDir();
      const rec = new Recorder();
      const file = new BodyFile(openBodyFile(dir), 1000, rec);
      rec.file = file;
      const body = pattern(25_123);
      for (let i = 0; i < body.length; ) {
        const n = 1 + ((i * 7) % 3000);
        file.write(body.subarray(i, i + n));
        i += n;
      }
      file.finish();
      await waitUntil('written', () => rec.seen.includes('written'), 2000);
      file.read();
      await waitUntil('read to the end', () => rec.seen.includes('end'), 2000);
      expect(Buffer.concat(rec.read).equals(body)).to.equal(true);
      expect(rec.read.slice(0, -1).every((c) => c.length === 1000)).to.equal(true);
      file.close();
    });

    it('gathers small chunks into writes of at least bufsize; the last one is what is left', async () => {
      const writes = countWrites();
      try {
        const rec = new Recorder();
        const file = new BodyFile(openBodyFile(tempDir()), 10, rec);
        // 4-byte chunks: the first write goes once 12 bytes are gathered; the other 16 gather
        // while it is in flight and go out together (finish() came meanwhile).
        for (let i = 0; i < 7; i++) file.write(pattern(4, i));
        file.finish();
        await waitUntil('written', () => rec.seen.includes('written'), 2000);
        expect(writes.sizes).to.deep.equal([12, 16]);
        file.close();
      } finally {
        writes.restore();
      }
    });

    it('an empty body: written at once, read as one empty last chunk', async () => {
      const rec = new Recorder();
      const file = new BodyFile(openBodyFile(tempDir()), 10, rec);
      file.finish();
      expect(rec.seen).to.deep.equal(['written']);
      file.read();
      expect(rec.seen).to.deep.equal(['written', 'end']);
      file.close();
    });

    it('holds the source while holdAt bytes wait, and lets it go once they are written', async () => {
      const rec = new Recorder();
      const file = new BodyFile(openBodyFile(tempDir()), 1024, rec);
      const results: boolean[] = [];
      for (let i = 0; i < 20; i++) results.push(file.write(Buffer.alloc(128 * 1024)));
      expect(results.slice(0, 7)).to.deep.equal(Array(7).fill(true));
      expect(results).to.include(false);
      await waitUntil('drained', () => rec.seen.includes('drained'), 2000);
      file.finish();
      await waitUntil('written', () => rec.seen.includes('written'), 2000);
      file.close();
    });

    it('a write that fails is reported once, and the file is closed', async () => {
      const dir = tempDir();
      const named = path.join(dir, 'read-only');
      fs.writeFileSync(named, '');
      const rec = new Recorder();
      const file = new BodyFile(fs.openSync(named, 'r'), 10, rec);
      file.write(Buffer.alloc(100));
      file.finish();
      await waitUntil('the failure', () => rec.seen.length > 0, 2000);
      expect(rec.seen).to.deep.equal(['failed:EBADF']);
    });

    it('reports nothing after close, even with a write in flight', async () => {
      const rec = new Recorder();
      const file = new BodyFile(openBodyFile(tempDir()), 10, rec);
      file.write(Buffer.alloc(100));
      file.finish();
      file.close();
      file.read();
      await new Promise((r) => setTimeout(r, 50));
      expect(rec.seen).to.deep.equal([]);
    });
  });
});
