import { expect } from 'chai';
import { LineBuffer } from '../../../src/shared/line-buffer';

/** What the sink was given, as text; bytes are copied during the call, as they are only lent. */
function sink(): { writes: string[]; write(t: string | Buffer): void } {
  const writes: string[] = [];
  return { writes, write: (t: string | Buffer) => void writes.push(typeof t === 'string' ? t : t.toString('utf8')) };
}

const after = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('LineBuffer', () => {
  it('writes the lines gathered within 20 ms with one write', async () => {
    const out = sink();
    const b = new LineBuffer(out);
    b.write('a\n');
    b.write('b\n');
    expect(out.writes).to.deep.equal([]);
    await after(40);
    expect(out.writes).to.deep.equal(['a\nb\n']);
    b.write('c\n');
    await after(40);
    expect(out.writes).to.deep.equal(['a\nb\n', 'c\n']);
  });

  it('flush() writes at once and cancels the pending timer; an empty buffer writes nothing', async () => {
    const out = sink();
    const b = new LineBuffer(out);
    b.flush();
    b.write('x\n');
    b.flush();
    expect(out.writes).to.deep.equal(['x\n']);
    await after(40);
    expect(out.writes).to.deep.equal(['x\n']);
  });

  it('does not hold more than 64 KiB', () => {
    const out = sink();
    const b = new LineBuffer(out);
    const line = `${'y'.repeat(1023)}\n`;
    for (let i = 0; i < 64; i++) b.write(line);
    expect(out.writes).to.have.length(1);
    expect(out.writes[0]).to.have.length(64 * 1024);
  });

  it('never cuts a line: one that does not fit in what is left goes out with the next write, whole', () => {
    const out = sink();
    const b = new LineBuffer(out);
    // 65 400 bytes held; the next line (451 bytes: 150 characters of two to four bytes) needs more than the 136 left.
    b.write(`${'a'.repeat(65_399)}\n`);
    const wide = `${'é€😀'.repeat(50)}\n`;
    b.write(wide);
    expect(out.writes).to.deep.equal([`${'a'.repeat(65_399)}\n`]);
    b.flush();
    expect(out.writes[1]).to.equal(wide);
  });

  it('a line larger than the buffer is written alone, after the lines before it and before the ones after it', () => {
    const out = sink();
    const b = new LineBuffer(out);
    const huge = `${'z'.repeat(100_000)}\n`;
    b.write('first\n');
    b.write(huge);
    b.write('last\n');
    b.flush();
    expect(out.writes).to.deep.equal(['first\n', huge, 'last\n']);
  });

  it('writes characters beyond latin1 and lone surrogates as UTF-8, as a string write would', () => {
    const out = sink();
    const b = new LineBuffer(out);
    const text = 'ü € 😀 \ud800 end\n';
    b.write(text);
    b.flush();
    expect(out.writes[0]).to.equal(Buffer.from(text, 'utf8').toString('utf8'));
  });
});
