// src/api is the one seam between the UI and Go: only these modules import
// wailsjs, and every call rejects with an ApiError.
export { ApiError, messageOf, toApiError } from './errors';
export type * from './types';
