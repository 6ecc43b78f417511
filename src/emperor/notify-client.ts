/**
 * Run by bin/tsuwsgi-vassal-notify, which a vassal's master starts in place of systemd-notify
 * (notify-bridge.ts says why): sends `TOKEN` and its arguments (`--pid=N READY=1 STATUS=...`)
 * to the Emperor, waits until the Emperor has read them, and exits 0, or 1 with one line on
 * stderr (the master then logs sd-notify-failed once).
 */
import net from 'node:net';

const TIMEOUT_MS = 5000;

function main(): void {
  const [name, token] = (process.env.NOTIFY_SOCKET ?? '').split(':');
  if (!name || !token) return fail('NOTIFY_SOCKET does not name an Emperor (NAME:TOKEN:NODE)');
  const socket = net.connect(`\0${name}`);
  socket.setTimeout(TIMEOUT_MS, () => fail(`the Emperor did not answer within ${TIMEOUT_MS} ms`));
  socket.on('error', (err: NodeJS.ErrnoException) => fail(`cannot reach the Emperor: ${err.code ?? err.message}`));
  socket.on('connect', () => socket.end(`${token}\n${process.argv.slice(2).join('\n')}\n`));
  socket.on('data', () => undefined);
  socket.on('close', (hadError) => {
    if (!hadError) process.exit(0);
  });
}

function fail(why: string): void {
  process.stderr.write(`tsuwsgi-vassal-notify: ${why}\n`);
  process.exit(1);
}

main();
