// `node --require heapsleuth/register app.js` for CommonJS apps. heapsleuth is ESM, so
// the agent loads asynchronously: it starts a moment after the app's first line runs.
import('./dist/src/agent/register.js').catch((error) => {
  process.stderr.write(`heapsleuth: warning: the leak tracer did not load: ${error && error.message}; the app runs without it\n`);
});
