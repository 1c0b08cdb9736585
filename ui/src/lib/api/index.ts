// The UI's only door to the backend: typed commands, event subscriptions,
// the error class and the payload types.

export * from "./commands";
export * from "./events";
export * from "./errors";
export type * from "./types";
