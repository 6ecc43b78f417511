/** Root hooks: whatever a failed test left running or on disk is removed after the run. */
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
