/**
 * What the master needs to serve `stats`, in one module it loads only when `stats` is set
 * (master.ts): the service, its server, and the daemon and companion views it reads.
 */
export { StatsService } from './stats-service';
export { startStatsServer } from './stats-server';
export { daemonStats } from '../daemons/daemon-stats';
export { companionsView } from './companions-document';
