/**
 * What activate() returns: the extension's parts, for the integration tests (and for other
 * extensions that want to read the same data). Reading a view through here goes through the very
 * tree provider VS Code draws from.
 */
import type { SessionTracker } from './model/sessionTracker';
import type { KmemlabViews, ViewName } from './views/registerViews';
import type { LabTests } from './testing/labTests';
import type { KmemlabCommands } from './commands';
import type { KmemlabConfigurationProvider } from './config/debugConfig';
import type { StatusItem } from './status/statusItem';
import type { SnapshotOptions, TreeRow } from './views/snapshot';

export interface KmemlabApi {
  readonly platform: 'desktop' | 'web';
  /** Evaluating the bundle (engine included) and running activate(), in milliseconds. */
  readonly timings: { loadMs: number; activateMs: number };
  readonly tracker: SessionTracker;
  readonly views: KmemlabViews;
  readonly commands: KmemlabCommands;
  readonly labTests: LabTests;
  readonly configurationProvider: KmemlabConfigurationProvider;
  readonly status: StatusItem;
  /** Rows of one of the five views, through its tree provider. */
  rows(view: ViewName, options?: SnapshotOptions): Promise<TreeRow[]>;
}
