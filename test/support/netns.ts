/**
 * Hosts for multi-host tests, as Linux network namespaces this test run creates: a front
 * namespace (the load balancer) joined to each host namespace by a veth pair, with private
 * addresses that exist only inside these namespaces. Nothing is added to the machine's own
 * namespace, so no traffic to those addresses can leave it. Namespaces are named after the
 * mocha process and deleted in the after-hooks; ones left by a run that died are removed at
 * the next start.
 */
import { spawn, spawnSync } from 'node:child_process';
import { BIN, ServerProcess } from './server';
import { isAlive } from './wait';

const PREFIX = 'tsuwsgi-t';
const labs = new Set<Lab>();

/** Deletes every namespace a failed test left (global after-hook). */
export function destroyAllLabs(): void {
  for (const lab of [...labs]) lab.destroy();
}

export interface Host {
  readonly netns: string;
  /** The host's address; the front namespace reaches it over its own veth. */
  readonly ip: string;
}

export interface Lab {
  readonly front: string;
  readonly hosts: readonly Host[];
  destroy(): void;
}

function ip(args: string[]): { ok: boolean; output: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw new Error(`ip ${args.join(' ')}: ${r.error.message} (apt-get install -y iproute2)`);
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

function must(args: string[]): void {
  const r = ip(args);
  if (!r.ok) throw new Error(`ip ${args.join(' ')} failed: ${r.output}`);
}

/** Why namespaces cannot be made here (not root, no CAP_SYS_ADMIN), or undefined when they can. */
export function namespacesUnavailable(): string | undefined {
  removeStaleNamespaces();
  const probe = `${PREFIX}${process.pid}-probe`;
  const r = ip(['netns', 'add', probe]);
  if (!r.ok) return `cannot create a network namespace (${r.output}); run the tests as root`;
  ip(['netns', 'del', probe]);
  return undefined;
}

/** Namespaces of test runs whose mocha process is gone. */
function removeStaleNamespaces(): void {
  for (const line of ip(['netns', 'list']).output.split('\n')) {
    const name = line.split(/\s+/)[0];
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name ?? '');
    if (m && !isAlive(Number(m[1]))) ip(['netns', 'del', name]);
  }
}

/**
 * A front namespace and `count` host namespaces: host i (0-based) is 10.231.(i+1).2/24, the
 * front's end of its link 10.231.(i+1).1/24.
 */
export function createLab(count: number): Lab {
  const front = `${PREFIX}${process.pid}-lb`;
  const hosts = Array.from({ length: count }, (_, i) => ({ netns: `${PREFIX}${process.pid}-h${i + 1}`, ip: `10.231.${i + 1}.2` }));
  const made: string[] = [];
  const destroy = (): void => {
    for (const ns of made.splice(0).reverse()) ip(['netns', 'del', ns]);
    labs.delete(lab);
  };
  const lab: Lab = { front, hosts, destroy };
  labs.add(lab);
  try {
    for (const ns of [front, ...hosts.map((h) => h.netns)]) {
      must(['netns', 'add', ns]);
      made.push(ns);
      must(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    hosts.forEach((h, i) => {
      // Both ends are created straight inside the namespaces: no interface in the machine's own.
      must(['link', 'add', `to-h${i + 1}`, 'netns', front, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.netns]);
      must(['-n', front, 'addr', 'add', `10.231.${i + 1}.1/24`, 'dev', `to-h${i + 1}`]);
      must(['-n', h.netns, 'addr', 'add', `${h.ip}/24`, 'dev', 'eth0']);
      must(['-n', front, 'link', 'set', `to-h${i + 1}`, 'up']);
      must(['-n', h.netns, 'link', 'set', 'eth0', 'up']);
    });
  } catch (err) {
    destroy();
    throw err;
  }
  return lab;
}

/** tsuwsgi started inside a namespace (`ip netns exec` execs, so the pid is the master's). */
export function startServerIn(netns: string, iniPath: string, dir: string, env: NodeJS.ProcessEnv = {}): ServerProcess {
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, BIN, iniPath], {
    cwd: dir,
    env: { ...process.env, TSUWSGI_LOG_JSON: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new ServerProcess(child, dir, iniPath);
}
