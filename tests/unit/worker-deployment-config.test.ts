// Worker versioning settings: a build id turns it on, a promotion without one or a name Temporal cannot hold is refused
// at start-up, naming the setting; and a versioned worker's options pin its workflows to its build.
import { loadConfig } from '../../platform/config';
import { deploymentOptions } from '../../worker/deployment';

it('should run unversioned without a build id, and join the deployment as that build with one', () => {
  expect(loadConfig({}).workerDeployment).toBeUndefined();
  expect(loadConfig({ TEMPORAL_WORKER_BUILD_ID: '' }).workerDeployment).toBeUndefined();
  expect(deploymentOptions(undefined)).toEqual({});
  const c = loadConfig({ TEMPORAL_WORKER_BUILD_ID: '2026-12-04_a1b2', TEMPORAL_WORKER_PROMOTE: 'true' });
  expect(c.workerDeployment).toEqual({ name: 'guichet', buildId: '2026-12-04_a1b2' });
  expect(c.promoteWorkerBuild).toBe(true);
  expect(deploymentOptions(c.workerDeployment)).toEqual({
    workerDeploymentOptions: { version: { deploymentName: 'guichet', buildId: '2026-12-04_a1b2' }, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' },
  });
  expect(loadConfig({ TEMPORAL_WORKER_BUILD_ID: 'b', TEMPORAL_WORKER_DEPLOYMENT: 'desk-eu' }).workerDeployment).toEqual({ name: 'desk-eu', buildId: 'b' });
});

it('should refuse at start-up what it cannot use, naming the setting', () => {
  expect(() => loadConfig({ TEMPORAL_WORKER_PROMOTE: 'true' })).toThrow(/^TEMPORAL_WORKER_PROMOTE needs TEMPORAL_WORKER_BUILD_ID/);
  expect(() => loadConfig({ TEMPORAL_WORKER_BUILD_ID: 'v1.2' })).toThrow(/^TEMPORAL_WORKER_BUILD_ID may hold letters/);
  expect(() => loadConfig({ TEMPORAL_WORKER_BUILD_ID: 'a', TEMPORAL_WORKER_DEPLOYMENT: 'desk:eu' })).toThrow(/^TEMPORAL_WORKER_DEPLOYMENT may hold letters/);
  expect(() => loadConfig({ TEMPORAL_WORKER_BUILD_ID: 'a', TEMPORAL_WORKER_PROMOTE: 'yes' })).toThrow(/^TEMPORAL_WORKER_PROMOTE must be true or false/);
});

it('should let backpressure be switched off with 0, as documented', () => {
  expect(loadConfig({ BACKPRESSURE_MAX_BACKLOG_SECONDS: '0' }).backpressureMaxBacklogSeconds).toBe(0);
  expect(() => loadConfig({ BACKPRESSURE_MAX_BACKLOG_SECONDS: '-1' })).toThrow(/BACKPRESSURE_MAX_BACKLOG_SECONDS/);
  expect(loadConfig({}).backpressureMaxTimerLatenessMs).toBe(30_000);
  expect(loadConfig({ BACKPRESSURE_MAX_TIMER_LATENESS_MS: '0' }).backpressureMaxTimerLatenessMs).toBe(0);
  expect(() => loadConfig({ BACKPRESSURE_MAX_TIMER_LATENESS_MS: '0.5' })).toThrow(/BACKPRESSURE_MAX_TIMER_LATENESS_MS/);
  // The timer calendar is the operator's sizing (half what the workers record per second): off until set.
  expect(loadConfig({}).backpressureMaxTimersPerSecond).toBe(0);
  expect(loadConfig({ BACKPRESSURE_MAX_TIMERS_PER_SECOND: '20' }).backpressureMaxTimersPerSecond).toBe(20);
  expect(() => loadConfig({ BACKPRESSURE_MAX_TIMERS_PER_SECOND: 'many' })).toThrow(/BACKPRESSURE_MAX_TIMERS_PER_SECOND/);
});
