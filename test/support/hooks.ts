/** Root hooks: whatever a failed test left running or on disk is removed after the run. */
import { removeRunCopy } from './nobody-install';
import { killAllServers } from './server';
import { killAllNginx } from './nginx';
import { removeTempDirs } from './tmp';
import { killDeployProcesses } from './deploy';
import { destroyAllLabs } from './netns';

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await killAllServers();
    killAllNginx();
    killDeployProcesses();
    destroyAllLabs();
    removeTempDirs();
  },
};

/**
 * Global fixtures run once per mocha run, in its main process (also under --parallel, whose
 * worker processes inherit the variable): the copy of the project for the suites that run as
 * nobody is shared by the run and removed at its end (nobody-install.ts).
 */
export function mochaGlobalSetup(): void {
  // The time too: a copy a killed run left behind must not be taken for this run's (a reused pid).
  process.env.TSUWSGI_TEST_RUN = `${process.pid}-${Date.now()}`;
}

export function mochaGlobalTeardown(): void {
  removeRunCopy();
}
