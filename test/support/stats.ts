/** Reads a tsuwsgi stats address the way uwsgitop does: connect, read to EOF, parse; bounded. */
import net from 'node:net';

export function readStatsRaw(address: { path: string } | { port: number }, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = 'path' in address ? net.connect(address.path) : net.connect(address.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no stats document within ${timeoutMs} ms`)));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => resolve(Buffer.concat(chunks).toString()));
  });
}

export async function readStatsDoc(address: { path: string } | { port: number }, timeoutMs = 5000): Promise<import('../../src').StatsDocument> {
  return JSON.parse(await readStatsRaw(address, timeoutMs)) as import('../../src').StatsDocument;
}
