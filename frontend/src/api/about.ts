import * as Bound from '../../wailsjs/go/api/About';
import { call } from './errors';
import type { About } from './types';

/** Version, build, data folder, database schema and hub, for the About dialog. */
export const info = (): Promise<About> => call(() => Bound.Info());
